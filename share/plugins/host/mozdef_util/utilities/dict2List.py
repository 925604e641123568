from datetime import date, datetime


def dict2List(value):
    """Yield every key and value of a nested dict or list: strings
    lower-cased, dates in ISO 8601, anything else as it is."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from dict2List(k)
            yield from dict2List(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from dict2List(v)
    elif isinstance(value, (datetime, date)):
        yield value.isoformat()
    elif isinstance(value, str):
        yield value.lower()
    else:
        yield value
