class DotDict(dict):
    """A dict whose items are also attributes, and whose get() takes a
    dotted path ('details.username'), None when it leads nowhere."""
    __getattr__ = dict.__getitem__
    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __init__(self, dct=None):
        dict.__init__(self)
        for k, v in (dct or {}).items():
            self[k] = DotDict(v) if isinstance(v, dict) else v

    def get(self, key, default=None):
        cur = self
        for part in key.split('.'):
            if not isinstance(cur, dict) or part not in cur:
                return default
            cur = dict.__getitem__(cur, part)
        return cur
