"""The worker's live ops page in a real browser (Debian's headless Chromium via chromedriver): the
numbers move while articles flow, dead letters can be browsed, hostile article text is shown as text
and never run, the last hour's charts carry the figures the test pushed, and /metrics and /search/ answer.
Screenshots (idle, then after the load) go to tests/artifacts/ (ignored by git, kept by CI)."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import orjson
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from streams.metrics import Metrics
from streams.ops.history import SAMPLE_SECONDS, SERIES
from streams.settings import Settings
from streams.sources.files import map_record
from streams.sources.producer import create_producer, produce_articles
from tests.conftest import ROOT
from tests.integration.conftest import chromium, free_port, raw_articles

pytestmark = pytest.mark.integration

ARTIFACTS = ROOT / "tests" / "artifacts"
HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> عنوان & "quotes"'


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    with chromium() as driver:
        yield driver


def wait_until(condition: Callable[[], object], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        time.sleep(0.5)


def table(driver: webdriver.Chrome, table_id: str) -> list[list[str]]:
    """The cells' text of a table, read in one script call (the page replaces rows every 2 s, so element
    handles found one by one can go stale)."""
    rows: list[list[str]] = driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(r => [...r.cells].map(c => c.textContent))",
        f"#{table_id} tbody tr",
    )
    return rows


def stage_counts(driver: webdriver.Chrome) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in table(driver, "stages")}


def chart(driver: webdriver.Chrome, name: str) -> dict[str, str]:
    """A chart's data attributes (points drawn, max, last value) and its polyline's point count."""
    found: dict[str, str] = driver.execute_script(
        "const f = document.getElementById(arguments[0]);"
        "return f ? {...f.dataset, drawn: String(f.querySelector('polyline').getAttribute('points')"
        ".split(' ').filter(Boolean).length)} : {};",
        f"chart-{name}",
    )
    return found


def indexed_on_page(driver: webdriver.Chrome) -> float:
    counts = stage_counts(driver)
    return float(counts["index"][1]) if "index" in counts else -1.0


@pytest.mark.timeout(400)
def test_the_ops_page_shows_the_pipeline_moving(
    settings: Settings, worker_factory: Callable[..., subprocess.Popen[bytes]], browser: webdriver.Chrome
) -> None:
    port = free_port()
    worker_factory(worker_web_enabled=True, worker_web_port=port)
    base = f"http://127.0.0.1:{port}"

    def page_loaded() -> bool:
        try:
            browser.get(f"{base}/ops/")
        except Exception:
            return False
        return browser.title == "newsflow ops"

    wait_until(page_loaded, timeout=90)
    wait_until(lambda: browser.find_element(By.ID, "health-kafka").text == "ok")
    assert browser.find_element(By.ID, "health-elasticsearch").text == "ok"
    assert browser.find_element(By.ID, "health-partitions").text == "ok"
    wait_until(lambda: chart(browser, "index_out_per_s").get("points", "0") != "0")  # a sample of the idle worker
    assert float(chart(browser, "index_out_per_s")["max"]) == 0.0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "ops-page-idle.png"))

    articles = raw_articles(settings, 40)
    hostile = map_record(
        {"title": HOSTILE_TITLE, "content": "نص الخبر.\n\nفقرة ثانية من الخبر.", "url": "https://x.example/hostile"},
        settings.inputs.jsonl_fields,
        "test",
        datetime.now(UTC),
    )
    producer = create_producer(settings)
    producer_metrics = Metrics()
    try:
        produce_articles(settings, articles[:20], producer, metrics=producer_metrics)
        assert producer_metrics.value("newsflow_produced_total", outcome="produced") == 20
        wait_until(lambda: indexed_on_page(browser) >= 20)
        first = indexed_on_page(browser)
        produce_articles(settings, [*articles[20:], hostile], producer)
        producer.send(settings.topics.raw, value=b'{"broken": <script>alert(1)</script>')
        producer.flush()
    finally:
        producer.close()
    wait_until(lambda: indexed_on_page(browser) >= 41)
    assert indexed_on_page(browser) > first  # the numbers moved while articles flowed
    wait_until(lambda: table(browser, "dead-letters"))

    # the charts drew what went through: indexing up to at least a few articles a second, a latency
    wait_until(lambda: float(chart(browser, "index_out_per_s").get("max", "0")) > 0)
    indexing = chart(browser, "index_out_per_s")
    assert int(indexing["drawn"]) == int(indexing["points"]) >= 2
    assert float(indexing["max"]) * SAMPLE_SECONDS >= 1  # at least one article in a sample's interval
    wait_until(lambda: chart(browser, "latency_p50_s").get("last", "") != "")
    assert 0 < float(chart(browser, "latency_p50_s")["max"]) < 300
    assert float(browser.find_element(By.ID, "latency-p50").text) > 0
    # the broken record, in the first sample taken after it was dead-lettered (one every SAMPLE_SECONDS)
    wait_until(lambda: float(chart(browser, "dead_letters_per_s").get("max", "0")) > 0, timeout=3 * SAMPLE_SECONDS)
    # ... also in its reason's own chart; the lag per topic, each its own chart
    assert float(chart(browser, "dead_letters:bad_json_per_s")["max"]) > 0
    figures = {figure.get_attribute("id") for figure in browser.find_elements(By.CSS_SELECTOR, "#charts figure")}
    assert {f"chart-{name}" for name in SERIES} <= figures
    assert {f"chart-lag:{settings.topics.raw}", f"chart-lag:{settings.topics.enriched}"} <= figures
    assert int(chart(browser, f"lag:{settings.topics.raw}")["points"]) >= 1

    # stories and events by their label, each a link to the newsroom narrowed to it
    stories = browser.find_elements(By.CSS_SELECTOR, "#documents a.story")
    assert len(stories) == len(table(browser, "documents"))
    assert {story.text for story in stories} <= {row[0] for row in table(browser, "documents")}
    assert all("/news/?story=" in (story.get_attribute("href") or "") for story in stories)
    events = browser.find_elements(By.CSS_SELECTOR, "#documents a.event")
    assert events
    assert all("/news/?event=" in (event.get_attribute("href") or "") for event in events)

    titles = [row[0] for row in table(browser, "documents")]
    assert HOSTILE_TITLE in titles  # shown as text ...
    assert browser.execute_script("return window.__pwned") is None  # ... and never run
    assert browser.save_screenshot(str(ARTIFACTS / "ops-page-under-load.png"))

    browser.get(browser.execute_script("return document.querySelector('#dead-letters tbody tr a').href"))
    wait_until(lambda: browser.find_elements(By.ID, "payload"))
    assert browser.find_element(By.ID, "payload").text == '{"broken": <script>alert(1)</script>'
    assert browser.execute_script("return typeof alert === 'function' && window.__pwned") is None

    metrics = urllib.request.urlopen(f"{base}/metrics", timeout=10).read().decode()
    assert 'newsflow_records_total{outcome="out",stage="index"} 41.0' in metrics
    assert "newsflow_end_to_end_seconds_bucket" in metrics

    def hostile_found() -> bool:  # indexed is not yet searchable: the index refreshes every second
        url = f"{base}/search/?q=%D8%B9%D9%86%D9%88%D8%A7%D9%86"
        found = orjson.loads(urllib.request.urlopen(url, timeout=30).read())
        return HOSTILE_TITLE in [hit["title"] for hit in found["hits"]]

    wait_until(hostile_found, timeout=30)
