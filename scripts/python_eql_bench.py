"""Times Elastic's Python `eql` engine on the seed rule (see bench-python-eql).

Events are parsed and wrapped as `eql.Event`s before timing, as the Rust
benches pre-build their typed events. Two concessions let the stock engine
run at all: single-element `event.category`/`event.type` arrays become
scalars, and an event on which the engine raises (it cannot take `in` on an
array such as `process.args`) counts as a non-match, its time included.
"""

import json
import sys
import time
import tomllib

import eql
from eql.parser import elasticsearch_syntax, ignore_missing_fields, ignore_missing_functions


def load(path):
    events = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            document = json.loads(line)
            meta = document.get("event", {})
            for key in ("category", "type"):
                if isinstance(meta.get(key), list) and len(meta[key]) == 1:
                    meta[key] = meta[key][0]
            category = meta.get("category", "any")
            if isinstance(category, list):
                category = category[0] if category else "any"
            events.append(eql.Event(category, 0, document))
    return events


def run(query, events):
    hits = []
    engine = eql.PythonEngine()
    engine.add_query(query)
    engine.add_output_hook(lambda output: hits.append(output))
    errors = 0
    start = time.perf_counter()
    for event in events:
        try:
            engine.stream_event(event)
        except (TypeError, AttributeError):
            errors += 1
    return time.perf_counter() - start, len(hits), errors


def main():
    rule_path, events_dir, out_path = sys.argv[1:4]
    with open(rule_path, "rb") as rule_file:
        text = tomllib.load(rule_file)["rule"]["query"]
    with elasticsearch_syntax, ignore_missing_functions, ignore_missing_fields:
        query = eql.parse_query(text)
    result = {"eql_version": eql.__version__, "python": sys.version.split()[0], "sets": {}}
    for name in ("samples", "stream"):
        events = load(f"{events_dir}/{name}.ndjson")
        # Enough repeats for about two seconds; the best repeat counts.
        seconds, matches, errors = run(query, events)
        repeats = max(1, min(20, int(2.0 / max(seconds, 1e-6))))
        best = seconds
        for _ in range(repeats):
            seconds, matches, errors = run(query, events)
            best = min(best, seconds)
        result["sets"][name] = {
            "events": len(events),
            "ns_per_event": best / len(events) * 1e9,
            "matches": matches,
            "errors": errors,
            "repeats": repeats + 1,
        }
        print(f"python eql, {name}: {best / len(events) * 1e9:.0f} ns/event, "
              f"{matches} matches, {errors} events raised", file=sys.stderr)
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
