"""The kustomize tree (deploy/kustomization.yaml + deploy/kubernetes/): built by kustomize, every object
validated against its schema (Kubernetes' own from kubernetes-validate, strict; custom resources against
the openAPIV3Schema of the CRD the operator installs: Strimzi, ECK, KEDA, Prometheus Operator, with
unknown fields refused as kubeconform -strict does), and kept consistent with the code and the other
deploy files (topics, alert rules, dashboard, ports, consumer group)."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import jsonschema
import kubernetes_validate
import orjson
import pytest
import yaml

from streams.kafka.topics import topic_specs
from streams.settings import Settings
from tests.conftest import ROOT
from tests.deploy.tools import CACHE, load_all, parse_cli, run, tool, unknown_settings

pytestmark = pytest.mark.deploy

KUBERNETES_VERSION = "1.33.0"
CUSTOM_KINDS = {
    "Kafka",
    "KafkaNodePool",
    "KafkaTopic",
    "KafkaUser",
    "Elasticsearch",
    "Kibana",
    "ScaledObject",
    "TriggerAuthentication",
    "PodMonitor",
    "PrometheusRule",
}


@cache
def built() -> tuple[dict[str, Any], ...]:
    result = run(tool("kustomize"), "build", ROOT / "deploy")
    assert result.returncode == 0, result.stderr
    return tuple(load_all(result.stdout))


def objects(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in built() if doc["kind"] == kind]


def one(kind: str, name: str | None = None) -> dict[str, Any]:
    found = [doc for doc in objects(kind) if name is None or doc["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]


@cache
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the CRD's openAPIV3Schema for that version, made strict."""
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    files = sorted((CACHE / "crds").glob("*/*.yaml"))
    assert files, f"no CRDs under {CACHE / 'crds'}: run deploy/validate/fetch"
    for path in files:
        for crd in load_all(path.read_text(encoding="utf-8")):
            if crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for version in spec["versions"]:
                if version.get("served", True):
                    schema = strict(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
                    schemas[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = schema
    return schemas


def strict(schema: Any) -> Any:
    """No field the schema does not name, where it names its fields (the API server would silently drop
    them: a misspelt field would just not take effect)."""
    if isinstance(schema, dict):
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
        for value in schema.values():
            strict(value)
    elif isinstance(schema, list):
        for item in schema:
            strict(item)
    return schema


def custom_resource_errors(doc: dict[str, Any]) -> list[str]:
    schema = crd_schemas().get((doc["apiVersion"], doc["kind"]))
    assert schema is not None, f"no CRD for {doc['apiVersion']} {doc['kind']}"
    body = {k: v for k, v in doc.items() if k != "metadata"}  # metadata: ObjectMeta, checked by the server
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


def test_every_object_is_valid_against_its_schema() -> None:
    kinds = set()
    for doc in built():
        name = f"{doc['kind']} {doc['metadata']['name']}"
        kinds.add(doc["kind"])
        if doc["kind"] in CUSTOM_KINDS:
            assert custom_resource_errors(doc) == [], name
        else:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    assert kinds == CUSTOM_KINDS | {"Namespace", "ConfigMap", "Deployment", "Job", "PersistentVolumeClaim"}


@pytest.mark.parametrize(
    ("kind", "mutate"),
    [
        ("Kafka", lambda d: d["spec"]["kafka"].update(listners=[])),  # a misspelt field
        ("KafkaNodePool", lambda d: d["spec"].update(roles=["leader"])),  # not an allowed role
        ("KafkaUser", lambda d: d["spec"]["authentication"].update(type="scram-sha-384")),
        ("Elasticsearch", lambda d: d["spec"]["nodeSets"][0].update(count="three")),
        ("ScaledObject", lambda d: d["spec"].update(maxReplicas=4)),
        ("PodMonitor", lambda d: d["spec"]["podMetricsEndpoints"][0].update(interval=15)),
    ],
)
def test_the_custom_resource_schemas_refuse_mistakes(kind: str, mutate: Any) -> None:
    doc = copy.deepcopy(one(kind))
    mutate(doc)
    assert custom_resource_errors(doc)


def test_the_kubernetes_schemas_refuse_mistakes() -> None:
    deployment = copy.deepcopy(one("Deployment", "newsflow-worker"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["paht"] = "/metrics"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def config() -> dict[str, str]:
    configmap = next(c for c in objects("ConfigMap") if c["metadata"]["name"].startswith("newsflow-config"))
    data: dict[str, str] = configmap["data"]
    return data


def test_the_topics_are_the_ones_newsflow_setup_creates() -> None:
    env = config()
    settings = Settings(
        topic_partitions=int(env["NEWSFLOW_TOPIC_PARTITIONS"]),
        topic_replication_factor=int(env["NEWSFLOW_TOPIC_REPLICATION_FACTOR"]),
        topic_min_insync_replicas=int(env["NEWSFLOW_TOPIC_MIN_INSYNC_REPLICAS"]),
    )
    expected = {spec.name: (spec.partitions, spec.replication_factor, spec.config) for spec in topic_specs(settings)}
    declared = {
        t["metadata"]["name"]: (
            t["spec"]["partitions"],
            t["spec"]["replicas"],
            {k: str(v) for k, v in t["spec"]["config"].items()},
        )
        for t in objects("KafkaTopic")
    }
    assert declared == expected


def test_the_workers_scale_on_lag_at_most_one_per_partition() -> None:
    scaled = one("ScaledObject")
    deployment = one("Deployment", "newsflow-worker")
    assert scaled["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    partitions = int(config()["NEWSFLOW_TOPIC_PARTITIONS"])
    assert 1 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"] <= partitions
    topics = {t["metadata"]["name"]: t["spec"]["partitions"] for t in objects("KafkaTopic")}
    for trigger in scaled["spec"]["triggers"]:
        meta = trigger["metadata"]
        assert trigger["type"] == "kafka"
        assert meta["consumerGroup"] == config()["NEWSFLOW_APP_ID"]
        assert meta["allowIdleConsumers"] == "false"
        assert topics[meta["topic"]] == partitions
        assert meta["bootstrapServers"] == config()["NEWSFLOW_KAFKA_BOOTSTRAP_SERVERS"]
    assert {t["metadata"]["topic"] for t in scaled["spec"]["triggers"]} == {
        "newsflow.articles.raw",
        "newsflow.articles.enriched",
    }


def test_the_worker_is_probed_and_scraped_on_its_web_port() -> None:
    pod = one("Deployment", "newsflow-worker")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    (web,) = container["ports"]
    assert web["name"] == "web"
    assert web["containerPort"] == int(config()["NEWSFLOW_WORKER_WEB_PORT"])
    assert config()["NEWSFLOW_WORKER_WEB_HOST"] == "0.0.0.0"
    for probe in ("startupProbe", "livenessProbe"):  # the process answers
        assert container[probe]["httpGet"] == {"path": "/metrics", "port": "web"}
    # ready while every held partition moves (streams.ops.liveness): a stalled worker leaves the Service
    assert container["readinessProbe"]["httpGet"] == {"path": "/ops/health", "port": "web"}
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    monitor = one("PodMonitor")
    assert {e["port"] for e in monitor["spec"]["podMetricsEndpoints"]} == {"web", "metrics"}
    # Prometheus' job label is the pod's name label: what deploy/prometheus/alerts.yaml selects on
    assert monitor["spec"]["jobLabel"] == "app.kubernetes.io/name"
    assert pod_labels("newsflow-worker")["app.kubernetes.io/name"] == "newsflow-worker"
    assert 'job="newsflow-worker"' in (ROOT / "deploy" / "prometheus" / "alerts.yaml").read_text()


def pod_labels(deployment: str) -> dict[str, str]:
    labels: dict[str, str] = one("Deployment", deployment)["spec"]["template"]["metadata"]["labels"]
    return labels


def test_secrets_are_referenced_never_inlined() -> None:
    assert objects("Secret") == []
    for name in ("newsflow-worker", "newsflow-producer"):
        (container,) = one("Deployment", name)["spec"]["template"]["spec"]["containers"]
        for variable in container["env"]:
            if "PASSWORD" in variable["name"] or "KEY" in variable["name"]:
                assert "secretKeyRef" in variable["valueFrom"], variable
    for key, value in config().items():
        assert "PASSWORD" not in key or key.endswith("_FILE"), (key, value)
    secret_volumes = {
        v["secret"]["secretName"]
        for v in one("Deployment", "newsflow-worker")["spec"]["template"]["spec"]["volumes"]
        if "secret" in v
    }
    # the operators' own Secrets: Strimzi's cluster CA, ECK's HTTP CA and elastic user
    assert secret_volumes == {"newsflow-cluster-ca-cert", "newsflow-es-http-certs-public", "newsflow-es-elastic-user"}


def test_the_alert_rules_and_dashboard_are_the_deploy_files() -> None:
    rules = one("PrometheusRule")
    assert rules["spec"] == yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yaml").read_text())
    dashboard = one("ConfigMap", "newsflow-grafana-dashboard")
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert orjson.loads(dashboard["data"]["newsflow-dashboard.json"]) == orjson.loads(
        (ROOT / "deploy" / "grafana" / "newsflow-dashboard.json").read_bytes()
    )


def test_the_newsflow_commands_and_settings_are_ones_newsflow_has() -> None:
    assert unknown_settings(config()) == set()
    for name in ("newsflow-worker", "newsflow-producer"):
        (container,) = one("Deployment", name)["spec"]["template"]["spec"]["containers"]
        assert unknown_settings({v["name"]: v for v in container["env"]}) == set(), name
        args = [arg.replace("$(FEED_URL)", "https://example.org/feed.xml") for arg in container["args"]]
        parse_cli(args)
    (producer,) = one("Deployment", "newsflow-producer")["spec"]["template"]["spec"]["containers"]
    params = parse_cli([arg.replace("$(FEED_URL)", "x") for arg in producer["args"]])
    assert params["metrics_port"] == producer["ports"][0]["containerPort"]
    assert params["metrics_host"] == "0.0.0.0"


def test_setup_runs_once_as_a_job_with_the_workers_settings_and_secrets() -> None:
    job = one("Job", "newsflow-setup")
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["restartPolicy"] == "OnFailure"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["args"] == ["setup"]
    assert parse_cli(container["args"]) == {}  # a command newsflow has, with nothing to parse
    worker_pod = one("Deployment", "newsflow-worker")["spec"]["template"]["spec"]
    (worker,) = worker_pod["containers"]
    assert container["image"] == worker["image"]  # kustomize's image setting reaches the Job too
    assert container["envFrom"] == worker["envFrom"]
    assert container["env"] == worker["env"]
    assert container["volumeMounts"] == worker["volumeMounts"]
    secrets = {v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
    assert secrets == {v["secret"]["secretName"] for v in worker_pod["volumes"] if "secret" in v}


def test_elasticsearch_runs_the_image_with_the_analysis_plugin() -> None:
    spec = one("Elasticsearch")["spec"]
    name, _, tag = spec["image"].partition(":")
    assert name == "newsflow-elasticsearch"
    assert tag == spec["version"]  # a stable plugin matches its node's version exactly
