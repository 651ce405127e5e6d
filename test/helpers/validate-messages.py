"""Validate JSON bodies against Google's generated apitools message classes (shipped with gcloud).

Usage: python3 validate-messages.py SDK_ROOT < items.json > report.json

items.json is a list of {"api", "version", "type", "body"}; the report is a list of
{"index", "problems"}, one per item that does not decode cleanly: a field the message class
does not know (at its JSON path), or a value apitools cannot decode. Used by
test/emulator-schema.test.ts; gcloud is the schema, never a dependency of the action.
"""

import importlib
import json
import sys

sdk = sys.argv[1]
sys.path.insert(0, sdk + "/lib")
sys.path.insert(0, sdk + "/lib/third_party")

from apitools.base.protorpclite import messages  # noqa: E402
from apitools.base.py import encoding  # noqa: E402


def module(api, version):
    return importlib.import_module(
        "googlecloudsdk.generated_clients.apis.%s.%s.%s_%s_messages" % (api, version, api, version)
    )


def unknown_fields(msg, path):
    """Every unrecognized field in msg and the messages it holds, by JSON path."""
    out = ["%s.%s" % (path, name) for name in msg.all_unrecognized_fields()]
    for field in msg.all_fields():
        if not isinstance(field, messages.MessageField):
            continue
        value = msg.get_assigned_value(field.name)
        if value is None:
            continue
        values = value if field.repeated else [value]
        for i, v in enumerate(values):
            if isinstance(v, messages.Message):
                at = "%s.%s[%d]" % (path, field.name, i) if field.repeated else "%s.%s" % (path, field.name)
                out.extend(unknown_fields(v, at))
    return out


def problems(item):
    try:
        cls = getattr(module(item["api"], item["version"]), item["type"])
    except (ImportError, AttributeError) as e:
        return ["no message class %s %s %s: %s" % (item["api"], item["version"], item["type"], e)]
    try:
        msg = encoding.JsonToMessage(cls, json.dumps(item["body"]))
    except Exception as e:  # apitools raises several types for an undecodable value
        return ["does not decode as %s: %s" % (item["type"], e)]
    return ["unknown field " + p for p in unknown_fields(msg, "$")]


report = []
for index, item in enumerate(json.load(sys.stdin)):
    found = problems(item)
    if found:
        report.append({"index": index, "problems": found})
json.dump(report, sys.stdout)
