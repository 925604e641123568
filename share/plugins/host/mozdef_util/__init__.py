"""A small stand-in for MozDef's mozdef_util, for ward's plugin host.

Only what MozDef's message plugins import, written with the standard
library alone: utilities.toUTC, utilities.key_exists, utilities.logger,
utilities.dict2List, utilities.dot_dict, utilities.remove_at,
utilities.to_unicode and utilities.is_ip.  See ward-plugins(7).
"""
