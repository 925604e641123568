def toUnicode(obj):
    """obj as a str."""
    return obj if isinstance(obj, str) else str(obj)
