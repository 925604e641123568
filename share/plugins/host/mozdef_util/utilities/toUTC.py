"""toUTC: an aware UTC datetime from almost anything a log holds, as
MozDef's did, with the standard library only (no dateutil, no pytz)."""
import email.utils
import math
import re
from datetime import datetime, timezone

_FORMATS = (
    '%Y-%m-%d %H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S%z',
    '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S',
    '%Y/%m/%d %H:%M:%S', '%d/%b/%Y:%H:%M:%S %z',
    '%a %b %d %H:%M:%S %Y', '%a %b %d %H:%M:%S %Z %Y',
    '%b %d %Y %H:%M:%S', '%m/%d/%Y %H:%M:%S', '%Y-%m-%d',
)
_SYSLOG = re.compile(r'^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d:\d\d:\d\d)$')


def _local(dt):
    # a time without a zone is the machine's local time, as in MozDef
    return dt if dt.tzinfo is not None else dt.astimezone()


def _epoch(x):
    x = float(x)
    if x <= 0:
        return datetime(1970, 1, 1, tzinfo=timezone.utc)
    mag = int(math.log10(x))
    if mag > 9:                     # milli-, micro-, nanoseconds
        x = x / 10 ** (mag - 9)
    return datetime.fromtimestamp(x, timezone.utc)


def _parse(s):
    s = s.strip()
    try:
        return datetime.fromisoformat(s.replace('Z', '+00:00')
                                      if s.endswith('Z') else s)
    except ValueError:
        pass
    for f in _FORMATS:
        try:
            return datetime.strptime(s, f)
        except ValueError:
            pass
    m = _SYSLOG.match(s)
    if m:                           # "Dec  7 16:29:33": this year
        year = datetime.now().year
        return datetime.strptime('%d %s %s %s' % (year, m.group(1),
                                 m.group(2), m.group(3)),
                                 '%Y %b %d %H:%M:%S')
    try:
        return email.utils.parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        pass
    raise ValueError('cannot read a date in %r' % (s,))


def toUTC(suspectedDate):
    """suspectedDate (a datetime, epoch seconds or milliseconds as a
    number or digits, or a date string) as an aware datetime in UTC.
    Raises ValueError when it cannot be read."""
    d = suspectedDate
    if isinstance(d, datetime):
        dt = d
    elif isinstance(d, bool):
        raise ValueError('cannot read a date in %r' % (d,))
    elif isinstance(d, (int, float)):
        dt = _epoch(d)
    elif isinstance(d, str) and d.strip().isdigit():
        dt = _epoch(int(d.strip()))
    elif isinstance(d, str):
        try:
            f = float(d)
        except ValueError:
            f = None
        dt = _epoch(f) if f is not None and f <= 0 else _parse(d)
    else:
        raise ValueError('cannot read a date in %r' % (d,))
    return _local(dt).astimezone(timezone.utc)
