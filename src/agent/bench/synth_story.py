"""The story of the synthetic incident: every text the generator writes, and the noise templates.

A search cluster's p99 latency is paged; `capacity-agent` loops over the nodes for an hour and,
60% of the way in, concludes that the latency is a shard imbalance and moves 40 shards. The
people find that a synonyms file shipped in a config deploy was expanding every query; the
agent never saw `query_expansion_count`, which only an HTTP call under get_node_stats fetched.

Noise is chosen so that it reads like an incident channel and a monitoring loop (acks, theories
and their dismissals, alerts, reads that find nothing) without restating the planted items:
the benchmark then checks that the drafter still finds them among 20k messages and 100k spans.
"""

from __future__ import annotations

import random
from typing import Any

import orjson

VERSION = 2  # bump whenever a text or template changes: cached bundles are keyed by it

INCIDENT_ID = "INC-SYN-0304"
AGENT = "capacity-agent"
SERVICE = "search-ops"
MODEL = "gpt-4o"
CHANNEL = "#inc-syn-0304-search-latency"
ACTION_TOOL = "move_shards"
ACTION_ARGS = '{"from_node":"search-7","index":"products","max_moves":40}'
ACTION_RESULT = '{"accepted":true,"moves_started":40,"from_node":"search-7"}'
TIMEOUT = "ReadTimeout: search-admin.internal:9200 did not answer within 10s"

SYSTEM_PROMPT = (
    "You are capacity-agent, the on-call assistant for the search cluster. When latency is paged, "
    "inspect the nodes with get_node_stats, get_cluster_health and get_index_stats, consult the runbooks "
    "with search_runbooks, and fix capacity problems with move_shards or add_replica. Post a status update "
    "to the incident channel every so often. Act only when the evidence explains the latency."
)
ALERT = "PagerDuty: search-api p99 latency 1840 ms over the 800 ms SLO for 10 minutes (products index)."
DECISION_PHRASE = "the latency is caused by shard placement, not by the queries"
DECISION_TEXT = (
    "Node search-7 is the hot spot: heap at 91% and GC pauses over 900 ms, while every other node is under 60%. "
    "This is consistent with a shard imbalance: search-7 holds the three largest products shards, so "
    f"{DECISION_PHRASE}. Moving shards off search-7 will fix it."
)
FINAL_ANSWER = "Latency is back under the SLO after the rollback; closing my loop."

QUOTE = f'{AGENT}\'s reasoning was "{DECISION_PHRASE}" and it went straight to move_shards'
FINDING = (
    "Found the root cause: the synonyms file shipped in the 14:05 search-config deploy expands every product "
    "query into hundreds of terms, so each search costs far more on every node. Shard placement was never the "
    "problem, and moving 40 shards at peak only added recovery load."
)
FINDING_PHRASES = ("synonyms file", "search-config")
SIGNAL_TERM = "query_expansion_count"
SIGNAL = (
    f"The agent never saw {SIGNAL_TERM}: get_node_stats only returns heap, GC and disk figures, "
    "nothing about what the queries themselves cost."
)
CORRECTION = "So the right call was a rollback of search-config, not moving shards off search-7."

PEOPLE = ("Priya Raman", "Marco Bellini", "Dana Okafor", "Lee Chen", "Sam Ortiz", "Ines Duarte", "Tom Becker",
          "Aiko Tanaka")
BOTS = ("PagerDuty", "incident-bot")
NODES = 24


def incident() -> dict[str, Any]:
    return {
        "id": INCIDENT_ID,
        "title": "Search latency: query expansion mistaken for a shard imbalance",
        "severity": "SEV2",
        "opened_at": "2026-03-04T14:00:00Z",
        "resolved_at": "2026-03-04T15:30:00Z",
        "channel": CHANNEL,
        "services": ["search-api", "search-cluster"],
        "agents": [AGENT],
    }


def expected(decision_span_id: str) -> dict[str, Any]:
    """Eval labels, so `pmdraft eval` scores a synthetic bundle like any labelled case."""
    return {
        "decision_span_ids": [decision_span_id],
        "inference_phrases": ["shard placement"],
        "correct_inference_phrases": list(FINDING_PHRASES),
        "missed_signal_phrases": [SIGNAL_TERM],
        "missed_signal_in_context": False,
        "notes": "Synthetic (agent.bench.synth): planted decision, finding and missed signal.",
    }


# ---- the trace ---------------------------------------------------------------------------------


def _node(rng: random.Random) -> str:
    return f"search-{rng.randrange(1, NODES + 1)}"


def read_call(rng: random.Random, i: int) -> tuple[str, str]:
    """The read the agent makes in iteration `i` (mostly node stats, as it walks the nodes)."""
    r = i % 10
    if r < 7:
        return "get_node_stats", f'{{"node":"search-{i % NODES + 1}"}}'
    if r < 9:
        return "get_index_stats", '{"index":"products"}'
    return "get_cluster_health", "{}"


_READ_TEXTS = (
    "Checking {node} next; the last one had {shards} shards and {qps} qps.",
    "{node}: heap {pct}%, GC p99 {gc} ms, {shards} shards. Reading the next node.",
    "Nothing stands out on {node} yet ({qps} qps, heap {pct}%); fetching more stats.",
    "Heap on {node} is {pct}% with GC p99 at {gc} ms. I'll look at the index stats too.",
    "Still walking the nodes: {done} read so far, {node} is next.",
)


def read_text(rng: random.Random, i: int, call: tuple[str, str]) -> str:
    """What the agent writes while it reads: numbers change every time, as in a real loop."""
    tpl = _READ_TEXTS[i % len(_READ_TEXTS)]
    node = orjson.loads(call[1]).get("node") or _node(rng)
    return tpl.format(node=node, pct=rng.randrange(35, 70), gc=rng.randrange(20, 90), shards=rng.randrange(80, 320),
                      qps=rng.randrange(200, 2400), done=i)


def status_text(rng: random.Random, i: int) -> str:
    return f"Update: checked {i} node reads so far; p99 still around {rng.randrange(1500, 1900)} ms."


def payload(rng: random.Random, tool: str, args: str, size: int) -> str:
    """A tool result of about `size` bytes: node or index stats with a list of shards."""
    head: dict[str, Any] = {"tool": tool, "args": orjson.loads(args)}
    if tool == "get_node_stats":
        head |= {"heap_used_pct": rng.randrange(35, 70), "gc_pause_p99_ms": rng.randrange(20, 90),
                 "disk_used_pct": rng.randrange(40, 75), "cpu_pct": rng.randrange(30, 80)}
    elif tool == "get_cluster_health":
        head |= {"status": "green", "nodes": NODES, "relocating_shards": 0, "unassigned_shards": 0}
    base = orjson.dumps(head).decode()[:-1]
    parts = [base, ',"shards":[']
    length = len(base) + 12
    k = 0
    while length < size:
        entry = (f'{{"index":"products","shard":{k},"docs":{rng.randrange(100_000, 999_999)},'
                 f'"store_mb":{rng.randrange(200, 4000)},"node":"search-{rng.randrange(1, NODES + 1)}"}}')
        parts.append(("," if k else "") + entry)
        length += len(entry) + 1
        k += 1
    parts.append("]}")
    return "".join(parts)


_QUERIES = ("node heap high GC pauses latency", "search p99 latency runbook", "hot node shard imbalance",
            "cluster health yellow relocating shards")
_DOCS = (
    ("rb-search-012", "Hot node: if one node shows heap above 85% and long GC pauses, the usual cause is a shard "
                      "imbalance. Move shards off the hot node with move_shards, at most 40 at a time."),
    ("rb-search-004", "Latency paging: check get_cluster_health first; a yellow cluster with relocating shards "
                      "adds latency until recovery ends."),
    ("rb-search-019", "Disk watermarks: above 85% disk the cluster stops allocating shards to a node."),
    ("rb-search-027", "GC tuning: the search nodes run G1 with a 30 GB heap; do not raise it without a review."),
)


def runbook_query(rng: random.Random) -> str:
    return _QUERIES[rng.randrange(len(_QUERIES))]


def runbook_docs(rng: random.Random, i: int) -> list[tuple[str, str]]:
    a = rng.randrange(len(_DOCS))
    b = (a + 1 + rng.randrange(len(_DOCS) - 1)) % len(_DOCS)
    return [_DOCS[a], _DOCS[b]]


def http_attrs(rng: random.Random, tool: str, args: str, failed: bool, planted_signal: bool) -> dict[str, Any]:
    """The HTTP client span under a tool. The planted one carries the signal the tool dropped."""
    node = orjson.loads(args).get("node", "_all") if args.startswith("{") else "_all"
    path = {"get_node_stats": f"/_nodes/{node}/stats", "get_index_stats": "/products/_stats",
            "get_cluster_health": "/_cluster/health", "post_status_update": "/api/chat.postMessage"}.get(tool, "/")
    host = "slack.com" if tool == "post_status_update" else "search-admin.internal"
    attrs: dict[str, Any] = {
        "http.request.method": "POST" if tool == "post_status_update" else "GET",
        "url.path": path, "url.full": f"https://{host}{path}", "server.address": host,
        "http.response.status_code": 0 if failed else 200,
        "http.response.body.size": rng.randrange(800, 4000),
    }
    if planted_signal:
        attrs["url.path"] = attrs["url.full"] = f"/_nodes/{node}/stats/indices/search"
        attrs["http.response.body.preview"] = (
            f'{{"query_total":1839201,"{SIGNAL_TERM}":312,"{SIGNAL_TERM}_baseline":4,"fetch_total":1822114}}'
        )
    return attrs


def reroute_attrs() -> dict[str, Any]:
    return {"http.request.method": "POST", "url.path": "/_cluster/reroute",
            "url.full": "https://search-admin.internal/_cluster/reroute", "server.address": "search-admin.internal",
            "http.response.status_code": 200, "http.response.body.size": 2048}


# ---- the channel -------------------------------------------------------------------------------

_CHATTER = (
    "joining, catching up on the last {n} minutes of {surface} reports",
    "ack",
    "here, looking at the {surface} dashboards, p99 {ms} ms",
    "p99 on /search is {ms} ms right now",
    "{node} heap at {pct}%, GC p99 {gc} ms",
    "could it be {thing} on {node}? it changed around {hhmm}",
    "{thing} on {node} looks normal, {pct}% of the usual",
    "support has {k} tickets about slow search on {surface}",
    "status page updated at {hhmm}: {k} minutes since the page",
    "+1",
    "anyone from the search team around? {person} maybe, or {person2}?",
    "graphs for the last {n} minutes: https://grafana.example.net/d/search-latency?from=now-{n}m",
    "cpu on {node} is around {pct}%",
    "error rate on {surface} is {err}% over the last {n} minutes",
    "{agent} is still walking the nodes, it is on {node} after {k} reads",
    "no change on my side, p99 {ms} ms",
    "{person}, can you check the slowlog on {node} from {hhmm}?",
    "bridge is open, {k} people on it, {person} presenting",
    "customer {cust} reports search timeouts on {surface}",
    "{node} disk at {pct}%, {shards} shards",
)
_THINGS = ("the GC settings", "the disk watermarks", "the load balancer", "a noisy tenant", "the JVM patch",
           "the network between zones", "the ingest pipeline", "the autoscaler")
_SURFACES = ("web", "the iOS app", "the Android app", "the partner API", "checkout search", "the storefront")
_BOT_TEXTS = (
    ("PagerDuty", "[Triggered] search-api p99 latency {ms} ms over the 800 ms SLO"),
    ("incident-bot", "Reminder: post an update in {channel} every 30 minutes ({k} minutes since the last one)"),
    (AGENT, "Checked {node}: heap {pct}%, GC p99 {gc} ms"),
)
BOT_EVERY = 9


def noise_message(rng: random.Random, k: int) -> tuple[str, str, bool]:
    """(author, text, is_bot) of the k-th noise message."""
    if k % BOT_EVERY == BOT_EVERY - 1:
        author, tpl = _BOT_TEXTS[rng.randrange(len(_BOT_TEXTS))]
        return author, _fill(tpl, rng), True
    return PEOPLE[rng.randrange(len(PEOPLE))], _fill(_CHATTER[rng.randrange(len(_CHATTER))], rng), False


def _fill(tpl: str, rng: random.Random) -> str:
    return tpl.format(
        ms=rng.randrange(900, 2100), node=_node(rng), pct=rng.randrange(30, 95), gc=rng.randrange(20, 900),
        thing=_THINGS[rng.randrange(len(_THINGS))], person=PEOPLE[rng.randrange(len(PEOPLE))].split()[0],
        person2=PEOPLE[rng.randrange(len(PEOPLE))].split()[0], agent=AGENT, channel=CHANNEL, n=rng.randrange(2, 60), k=rng.randrange(2, 90), err=rng.randrange(1, 30),
        surface=_SURFACES[rng.randrange(len(_SURFACES))], cust=rng.randrange(1000, 99999),
        shards=rng.randrange(80, 320), hhmm=f"{14 + rng.randrange(2)}:{rng.randrange(60):02d}",
    )


def planted_messages(decision_s: float) -> list[Any]:
    """The planted messages, at seconds after the page: the quote, the finding, the signal, the correction."""
    from agent.bench.synth import CHAT_END_S, CHAT_START_S, SynMessage

    finding_s = CHAT_START_S + 0.62 * (CHAT_END_S - CHAT_START_S)
    return [
        SynMessage(decision_s + 240, "Dana Okafor", QUOTE),
        SynMessage(finding_s, "Priya Raman", FINDING),
        SynMessage(finding_s + 90, "Marco Bellini", SIGNAL),
        SynMessage(finding_s + 300, "Lee Chen", CORRECTION),
    ]
