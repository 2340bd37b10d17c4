# Encodes XML-RPC request bodies exactly as Python's xmlrpc.client sends them.
# stdin: JSON list of {"method": name, "params": [...]}; stdout: JSON list of body strings.
import json
import sys
import xmlrpc.client

calls = json.load(sys.stdin)
json.dump([xmlrpc.client.dumps(tuple(call["params"]), call["method"]) for call in calls], sys.stdout)
