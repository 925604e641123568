# An example plugin (ward-plugins(7)): load balancer health checks are
# not stored.  Returning None drops an event, as MozDef's dropMessage.py
# does.  Copy it to DATA/plugins.
class message(object):
    def __init__(self):
        self.registration = ['ELB-HealthChecker/1.0']
        self.priority = 1

    def onMessage(self, message, metadata):
        agent = message['details'].get('http_user_agent')
        if agent == 'ELB-HealthChecker/1.0':
            return None
        return (message, metadata)
