# Tollgate's Python runtime for Lambda functions: it imports the handler
# named by _HANDLER ("module.function", the module a path under
# LAMBDA_TASK_ROOT) and serves invocations from the Lambda Runtime API at
# AWS_LAMBDA_RUNTIME_API, as the AWS Python runtime does.
import http.client
import importlib
import json
import os
import sys
import time
import traceback

# AWS_LAMBDA_RUNTIME_API is host:port, and under Tollgate a path after it
# ("127.0.0.1:PORT/SECRET"): the instance's secret, which every request
# carries as the first segment of its path.
API, _, SECRET = os.environ["AWS_LAMBDA_RUNTIME_API"].partition("/")
BASE = ("/" + SECRET if SECRET else "") + "/2018-06-01/runtime"
conn = http.client.HTTPConnection(API, timeout=None)


def call(method, path, body=None, headers=None):
    global conn
    for attempt in range(2):
        try:
            conn.request(method, BASE + path, body=body, headers=headers or {})
            res = conn.getresponse()
            return res.status, res.headers, res.read()
        except (http.client.HTTPException, ConnectionError):
            conn.close()
            conn = http.client.HTTPConnection(API, timeout=None)
            if attempt:
                raise


def error_doc(exc, error_type=None):
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)),
    }


def post_error(path, doc):
    sys.stderr.write("[ERROR] %s: %s\n" % (doc["errorType"], doc["errorMessage"]))
    body = json.dumps(doc).encode()
    call("POST", path, body, {"Content-Type": "application/json",
                              "Lambda-Runtime-Function-Error-Type": doc["errorType"]})


def load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError:
        raise RuntimeError("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack" % handler)
    modname = modname.replace("/", ".")
    try:
        mod = importlib.import_module(modname)
    except ImportError as e:
        raise RuntimeError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except Exception as e:
        raise RuntimeError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    fn = getattr(mod, fname, None)
    if not callable(fn):
        raise RuntimeError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return fn


class LambdaContext:
    def __init__(self, request_id, headers):
        self.aws_request_id = request_id
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def main():
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except RuntimeError as e:
        error_type, message = e.args
        post_error("/init/error", {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []})
        sys.exit(129)
    except Exception as e:
        post_error("/init/error", error_doc(e, "Runtime.Unknown"))
        sys.exit(129)
    while True:
        status, headers, body = call("GET", "/invocation/next")
        if status != 200:
            raise SystemExit("the runtime API answered /next with %d" % status)
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        if headers.get("Lambda-Runtime-Trace-Id"):
            os.environ["_X_AMZN_TRACE_ID"] = headers.get("Lambda-Runtime-Trace-Id")
        try:
            event = json.loads(body)
            result = handler(event, LambdaContext(request_id, headers))
            out = json.dumps(result).encode()
        except Exception as e:
            doc = error_doc(e)
            doc["requestId"] = request_id
            post_error("/invocation/%s/error" % request_id, doc)
            continue
        call("POST", "/invocation/%s/response" % request_id, out, {"Content-Type": "application/json"})


if __name__ == "__main__":
    main()
