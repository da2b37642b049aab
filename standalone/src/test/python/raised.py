# Runs a Python script as __main__ and then prints each exception raised in the script's own code,
# including the ones the script catches itself: python3 raised.py SCRIPT ARGS...
# The tests use it to see the exception class and errno behind the article's client's message.
import runpy
import sys

script = sys.argv[1]
raised = []


def trace(frame, event, arg):
    if frame.f_code.co_filename != script:
        return None
    if event == 'exception':
        kind, value, _ = arg
        line = f"{kind.__name__} errno={getattr(value, 'errno', None)}"
        if line not in raised:
            raised.append(line)
    return trace


sys.argv = sys.argv[1:]
sys.settrace(trace)
try:
    runpy.run_path(script, run_name='__main__')
finally:
    sys.settrace(None)
    for line in raised:
        print('raised:', line)
