"""ward_plugin_host -- runs MozDef-style Python plugins for wardd.

wardd starts this script with Debian's python3 (-I -B) and speaks to it on
file descriptor 0, a stream socket; see hub/ingest/plugins.c for the C side
and ward-plugins(7) for the plugin interface.

    ward_plugin_host.py --list  FILE...   load, describe, exit
    ward_plugin_host.py --serve FILE...   load, describe, then run batches

Loading: each FILE is imported as a module named after its file; it must
define `class message`, whose instance has `registration` (a list of
strings; '*' matches every event) and may have `priority` (default 100).
The plugins are sorted by priority (ties keep the order of the files).
Each is described by one line `P {"name":..,"priority":..,
"registration":[..lower-cased..]}`; the first that cannot load ends the
list with `E {"file":..,"line":..,"reason":..}` and exit status 2.  In
--serve mode the description ends with a line `R`.

A batch (wardd -> host): a line `SEQ COUNT NBYTES`, then NBYTES of COUNT
lines `LIMIT MASK EVENT`: run plugins 0..LIMIT-1 (in priority order) on the
JSON object EVENT; MASK, in hex, says which plugins the event as sent
registers for (bit k: plugin k), or `-` for "work it out".

The reply (host -> wardd): a line `SEQ COUNT NBYTES`, then NBYTES of COUNT
result lines and one statistics line:
    u                      no plugin ran: the event is as sent
    j LAST EVENT           the event after the plugins (LAST: the last
                           plugin that ran)
    d K                    plugin K dropped the event
    e K REASON EVENT       plugin K failed (REASON, a JSON string); EVENT
                           is the event as it was before plugin K
    s C0 N0 C1 N1 ...      per plugin: calls and nanoseconds in onMessage

While it works the host publishes in the page shared on file descriptor 3
(32-bit words): [0] the batch's SEQ, [1] the event's index in the batch,
[2] 1 + the plugin running (0 between plugins), [3] a counter bumped at
every event and plugin call.  When the host hangs or dies, wardd reads the
page to know which event and plugin did it.
"""

import datetime
import decimal
import importlib.util
import json
import mmap
import os
import sys
import time
import traceback
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)        # mozdef_util

# Words of the shared page.
W_SEQ, W_EVENT, W_PLUGIN, W_TICK = 0, 1, 2, 3


class Plugin(object):
    __slots__ = ('name', 'file', 'obj', 'priority', 'reg', 'star', 'order')


class LoadError(Exception):
    def __init__(self, file, line, reason):
        Exception.__init__(self, reason)
        self.file, self.line, self.reason = file, line, reason


def line_in(tb, path):
    """The line of the innermost traceback frame in path, or 1."""
    line = 1
    for fr in traceback.extract_tb(tb):
        if os.path.abspath(fr.filename) == path:
            line = fr.lineno or line
    return line


def load_one(path, order):
    path = os.path.abspath(path)
    name = os.path.splitext(os.path.basename(path))[0]
    d = os.path.dirname(path)
    if d not in sys.path:
        sys.path.append(d)          # helpers beside the plugin (_x.py)
    try:
        with open(path, 'rb') as f:
            src = f.read()
        code = compile(src, path, 'exec')
    except SyntaxError as e:
        raise LoadError(path, e.lineno or 1, 'syntax error: %s' % e.msg)
    except (OSError, ValueError) as e:
        raise LoadError(path, 1, str(e))
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        exec(code, mod.__dict__)
    except BaseException as e:
        raise LoadError(path, line_in(e.__traceback__, path),
                        'import failed: %s: %s' % (type(e).__name__, e))
    cls = mod.__dict__.get('message')
    if not isinstance(cls, type):
        raise LoadError(path, 1, 'no class message')
    try:
        obj = cls()
    except BaseException as e:
        raise LoadError(path, line_in(e.__traceback__, path),
                        'message() failed: %s: %s' % (type(e).__name__, e))
    try:
        import inspect
        cline = inspect.getsourcelines(cls)[1]
    except Exception:
        cline = 1
    reg = getattr(obj, 'registration', None)
    if not isinstance(reg, list):
        raise LoadError(path, cline, 'registration is not a list')
    for r in reg:
        if not isinstance(r, str):
            raise LoadError(path, cline,
                            'registration holds %r, not a string' % (r,))
    prio = getattr(obj, 'priority', 100)
    if isinstance(prio, bool) or not isinstance(prio, (int, float)):
        raise LoadError(path, cline, 'priority is not a number')
    if not callable(getattr(obj, 'onMessage', None)):
        raise LoadError(path, cline, 'no onMessage method')
    p = Plugin()
    p.name, p.file, p.obj, p.order = name, path, obj, order
    p.priority = prio
    p.reg = frozenset(r.lower() for r in reg)
    p.star = '*' in p.reg
    return p


def load(files):
    plugins, names = [], {}
    for i, f in enumerate(files):
        p = load_one(f, i)
        if p.name in names:
            raise LoadError(p.file, 1, 'plugin %s already loaded from %s' %
                            (p.name, names[p.name]))
        names[p.name] = p.file
        plugins.append(p)
    plugins.sort(key=lambda p: (p.priority, p.order))
    return plugins


def describe(plugins, out):
    for p in plugins:
        prio = p.priority
        if isinstance(prio, float) and prio.is_integer():
            prio = int(prio)
        d = {'name': p.name, 'file': p.file, 'priority': prio,
             'registration': sorted(p.reg)}
        out.write(b'P ' + json.dumps(d).encode() + b'\n')


def flatten(value, out):
    """MozDef's dict2List: every key and value, strings lower-cased."""
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(k, out)
            flatten(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            flatten(v, out)
    elif isinstance(value, str):
        out.add(value.lower())
    elif isinstance(value, (datetime.datetime, datetime.date)):
        out.add(value.isoformat())
    return out


def to_json(o):
    """What the JSON encoder cannot write, as Elasticsearch's client
    wrote it for MozDef."""
    if isinstance(o, (datetime.datetime, datetime.date, datetime.time)):
        return o.isoformat()
    if isinstance(o, decimal.Decimal):
        return float(o)
    if isinstance(o, uuid.UUID):
        return str(o)
    if isinstance(o, (set, frozenset)):
        return list(o)
    raise TypeError('%s is not JSON serializable' % type(o).__name__)


# ASCII out (\uXXXX escapes): python's fastest encoder, and jansson reads it.
ENC = json.JSONEncoder(separators=(',', ':'), allow_nan=False,
                       default=to_json)
DEC = json.JSONDecoder().raw_decode


def dump(ev):
    b = ENC.encode(ev).encode('ascii')
    if b'\\u0000' in b:
        raise ValueError('a string holds a NUL character')
    return b


class Failed(Exception):
    def __init__(self, k, reason):
        Exception.__init__(self, reason)
        self.k, self.reason = k, reason


def reason_of(e):
    tb = traceback.extract_tb(e.__traceback__)
    where = ''
    if tb:
        where = ' (%s:%d)' % (os.path.basename(tb[-1].filename),
                              tb[-1].lineno or 0)
    return '%s: %s%s' % (type(e).__name__, e, where)


class Host(object):
    def __init__(self, plugins, page):
        self.plugins = plugins
        self.page = page
        self.calls = [0] * len(plugins)
        self.ns = [0] * len(plugins)

    def run(self, i, js, limit, mask, count):
        """Run plugins 0..limit-1 on the event js.  Returns ('u',), ('j',
        last, ev), ('d', k); raises Failed(k, reason)."""
        page, plugins = self.page, self.plugins
        ev = DEC(js.decode('utf-8'))[0]
        meta = {'index': 'events', 'id': None}
        tokens = None
        last = -1
        for k in range(limit):
            p = plugins[k]
            if not p.star:
                if last < 0 and mask >= 0:
                    if not (mask >> k) & 1:
                        continue
                else:
                    if tokens is None:
                        tokens = flatten(ev, set())
                    if tokens.isdisjoint(p.reg):
                        continue
            page[W_PLUGIN] = k + 1
            page[W_TICK] = (page[W_TICK] + 1) & 0xffffffff
            t0 = time.perf_counter_ns()
            try:
                r = p.obj.onMessage(ev, meta)
            except BaseException as e:
                raise Failed(k, reason_of(e))
            finally:
                page[W_PLUGIN] = 0
                if count:
                    self.calls[k] += 1
                    self.ns[k] += time.perf_counter_ns() - t0
            last = k
            tokens = None
            if r is None:
                return ('d', k)
            if not isinstance(r, tuple) or len(r) != 2:
                raise Failed(k, 'onMessage returned %s, not (message, '
                             'metadata)' % type(r).__name__)
            ev, meta = r
            if ev is None:
                return ('d', k)
            if not isinstance(ev, dict):
                raise Failed(k, 'onMessage returned a %s as the message, '
                             'not a dict' % type(ev).__name__)
        if last < 0:
            return ('u',)
        try:
            return ('j', last, dump(ev))
        except BaseException as e:
            raise Failed(last, 'the message cannot be written as JSON: '
                         '%s' % reason_of(e))

    def one(self, i, line):
        sp1 = line.index(b' ')
        sp2 = line.index(b' ', sp1 + 1)
        limit = int(line[:sp1])
        m = line[sp1 + 1:sp2]
        mask = -1 if m == b'-' else int(m, 16)
        js = line[sp2 + 1:]
        self.page[W_EVENT] = i
        self.page[W_TICK] = (self.page[W_TICK] + 1) & 0xffffffff
        try:
            r = self.run(i, js, limit, mask, True)
        except Failed as f:
            return self.failed(i, js, mask, f)
        if r[0] == 'u':
            return b'u\n'
        if r[0] == 'd':
            return b'd %d\n' % r[1]
        return b'j %d ' % r[1] + r[2] + b'\n'

    def failed(self, i, js, mask, f):
        """Plugin f.k failed: the event as it was before it, from a run
        of the plugins before it."""
        k, reason = f.k, f.reason
        while True:
            try:
                r = self.run(i, js, k, mask, False)
                break
            except Failed as g:     # not the same twice: blame the first
                k, reason = g.k, g.reason
        if r[0] == 'u':
            ev = js
        elif r[0] == 'j':
            ev = r[2]
        else:
            ev = js
        return (b'e %d ' % k + json.dumps(reason).encode() + b' ' + ev +
                b'\n')

    def serve(self, inp, out):
        page = self.page
        n = len(self.plugins)
        while True:
            hdr = inp.readline()
            if not hdr:
                return
            seq, count, nbytes = (int(x) for x in hdr.split())
            data = inp.read(nbytes)
            if len(data) != nbytes:
                return
            page[W_SEQ] = seq
            lines = data.split(b'\n')
            res = [self.one(i, lines[i]) for i in range(count)]
            st = [b's']
            for k in range(n):
                st.append(b'%d %d' % (self.calls[k], self.ns[k]))
                self.calls[k] = self.ns[k] = 0
            res.append(b' '.join(st) + b'\n')
            body = b''.join(res)
            out.write(b'%d %d %d\n' % (seq, count, len(body)))
            out.write(body)
            out.flush()


def die_with_parent():
    """Be killed when wardd goes, even by kill -9 while a plugin hangs
    (PR_SET_PDEATHSIG: the thread that started us is a pipeline worker,
    which lives as long as wardd)."""
    ppid = os.getppid()
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError, ImportError):
        pass
    if os.getppid() != ppid or ppid == 1:
        os._exit(0)


def main(argv):
    if len(argv) < 2 or argv[1] not in ('--list', '--serve'):
        sys.stderr.write('usage: ward_plugin_host.py --list|--serve '
                         'FILE...\n')
        return 2
    serve = argv[1] == '--serve'
    if serve:
        die_with_parent()
    # The replies go to the socket on fd 0; what plugins print goes to
    # standard error, the hub's log.
    if serve:
        sock = os.fdopen(os.dup(0), 'rb', buffering=1 << 16)
        out = os.fdopen(os.dup(0), 'wb', buffering=1 << 16)
    else:
        out = os.fdopen(os.dup(1), 'wb')
    # A plugin that reads standard input gets nothing, not our batches.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        plugins = load(argv[2:])
    except LoadError as e:
        d = {'file': e.file, 'line': e.line, 'reason': e.reason}
        out.write(b'E ' + json.dumps(d).encode() + b'\n')
        out.flush()
        return 2
    describe(plugins, out)
    if not serve:
        out.flush()
        return 0
    out.write(b'R\n')
    out.flush()
    try:
        mm = mmap.mmap(3, mmap.PAGESIZE)
        page = memoryview(mm).cast('I')
    except (OSError, ValueError):
        page = [0, 0, 0, 0]
    Host(plugins, page).serve(sock, out)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
