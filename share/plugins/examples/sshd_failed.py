# An example plugin (ward-plugins(7)): the user and address of sshd's
# failed logins.  ward's decoders do this already (share/parsers); this
# shows the shape of a MozDef-style plugin.  Copy it to DATA/plugins.
import re


class message(object):
    def __init__(self):
        self.registration = ['sshd']
        self.priority = 5

    def onMessage(self, message, metadata):
        m = re.match(r'Failed (\w+) for (invalid user )?(\S+) '
                     r'from ([0-9.]+) port (\d+)', message['summary'])
        if message.get('processname') == 'sshd' and m:
            message['details']['authmethod'] = m.group(1)
            message['details']['username'] = m.group(3)
            message['details']['sourceipaddress'] = m.group(4)
            message['details']['sourceport'] = m.group(5)
        return (message, metadata)
