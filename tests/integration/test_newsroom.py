"""The newsroom page (/news/) in a real browser with JavaScript off: after the worker indexed sample
articles it lists them with their facets and the largest recent events; following an entity facet, a day
of that entity's timeline or an event narrows the list to what /search/ finds for the same filter. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import subprocess
import urllib.request
from collections.abc import Callable
from urllib.parse import urlencode

import orjson
import pytest
from elasticsearch import AsyncElasticsearch
from selenium.webdriver.common.by import By

from streams.settings import Settings
from streams.sources.producer import create_producer, produce_articles
from tests.conftest import ROOT
from tests.integration.conftest import chromium, free_port, indexed_ids, raw_articles, wait_for

pytestmark = pytest.mark.integration

ARTIFACTS = ROOT / "tests" / "artifacts"
ARTICLES = 30


def search_total(base: str, **filters: str) -> int:
    with urllib.request.urlopen(f"{base}/search/?{urlencode(filters)}", timeout=30) as response:
        total: int = orjson.loads(response.read())["total"]
    return total


@pytest.mark.timeout(400)
async def test_the_newsroom_lists_filters_and_opens_events_without_javascript(
    settings: Settings, es: AsyncElasticsearch, worker_factory: Callable[..., subprocess.Popen[bytes]]
) -> None:
    port = free_port()
    worker_factory(worker_web_enabled=True, worker_web_port=port)
    base = f"http://127.0.0.1:{port}"
    producer = create_producer(settings)
    try:
        produce_articles(settings, raw_articles(settings, ARTICLES), producer)
    finally:
        producer.close()

    async def all_indexed() -> bool:
        return len(await indexed_ids(es, settings)) == ARTICLES

    async def web_answers() -> bool:
        try:
            return search_total(base) == ARTICLES
        except OSError:  # the worker's web server is not up yet
            return False

    await wait_for(all_indexed, timeout=240)
    await wait_for(web_answers, timeout=60)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium(javascript=False) as browser:
        browser.get(f"{base}/news/")
        assert browser.find_element(By.ID, "total").text == f"{ARTICLES} articles"
        assert len(browser.find_elements(By.CSS_SELECTOR, "#hits li")) == 20
        assert browser.execute_script("return document.documentElement.dir") == "rtl"
        assert browser.save_screenshot(str(ARTIFACTS / "newsroom.png"))

        entity = browser.find_element(By.CSS_SELECTOR, "#facet-entities a")
        label = entity.text
        entity.click()
        expected = search_total(base, entity=label)
        assert 0 < expected < ARTICLES
        assert browser.find_element(By.ID, "total").text == f"{expected} articles"
        assert label in browser.find_element(By.ID, "filters").text

        # the entity's timeline: its articles per day, each day a link narrowing to it
        assert label in browser.find_element(By.CSS_SELECTOR, "#timeline h3").text
        bars = browser.find_elements(By.CSS_SELECTOR, "#timeline rect.day")
        per_day = {bar.get_attribute("data-day"): int(bar.get_attribute("data-count") or 0) for bar in bars}
        assert sum(per_day.values()) == expected
        newest = browser.find_element(By.CSS_SELECTOR, "#facet-days a")
        day = newest.text
        newest.click()
        assert browser.find_element(By.ID, "total").text == f"{per_day[day]} articles"
        assert search_total(base, entity=label, day=day) == per_day[day]
        assert browser.save_screenshot(str(ARTIFACTS / "newsroom-timeline.png"))

        event_links = browser.find_elements(By.CSS_SELECTOR, "#events a")
        assert event_links  # the events index has the summaries the index stage wrote
        counts = browser.find_element(By.CSS_SELECTOR, "#events li .meta").text
        event_links[0].click()
        assert browser.find_element(By.ID, "total").text == f"{counts.split()[0]} articles"
        assert browser.save_screenshot(str(ARTIFACTS / "newsroom-event.png"))
