"""docs/avmonctl.1.md documents exactly the registered avmonctl commands (no more, no fewer),
each command's section mentions every option its --help shows, and the bash completion
offers every command.

usage: man_page_test.py AVMONCTL MAN_PAGE COMPLETION
"""
import re
import subprocess
import sys


def registered(avmonctl):
    out = subprocess.run([avmonctl, "--help"], capture_output=True, text=True, check=True).stdout
    names, in_list = [], False
    for line in out.splitlines():
        if line.startswith("commands:"):
            in_list = True
            continue
        if in_list:
            m = re.match(r"^  (\S+)\s", line)
            if not m:
                break
            names.append(m.group(1))
    return names


def documented(man_text):
    """`## name` headings inside the `# COMMANDS` section."""
    section = re.search(r"^# COMMANDS\n(.*?)(?=^# )", man_text, re.S | re.M)
    if not section:
        sys.exit("no '# COMMANDS' section in the man page")
    sections = {}
    for m in re.finditer(r"^## \**([a-z-]+)\**[^\n]*\n(.*?)(?=^## |\Z)", section.group(1), re.S | re.M):
        sections[m.group(1)] = m.group(2)
    return sections


def main():
    avmonctl, man, completion = sys.argv[1:4]
    commands = registered(avmonctl)
    if len(commands) < 10:
        sys.exit(f"suspiciously few commands parsed from --help: {commands}")
    text = open(man, encoding="utf-8").read()
    sections = documented(text)
    problems = []
    for c in commands:
        if c not in sections:
            problems.append(f"command '{c}' is registered but not documented in {man}")
    for c in sections:
        if c not in commands:
            problems.append(f"{man} documents '{c}', which avmonctl does not have")
    for c in commands:
        if c not in sections:
            continue
        usage = subprocess.run([avmonctl, c, "--help"], capture_output=True, text=True).stdout
        for opt in sorted(set(re.findall(r"--[a-z][a-z-]*", usage))):
            if opt not in sections[c] and opt not in ("--help", "--json", "--socket", "--config"):
                problems.append(f"'{c}' option {opt} (in its --help) is not in its man page section")
    for word in ("--socket", "--config", "--json", "EXIT STATUS"):
        if word not in text:
            problems.append(f"the man page does not mention {word}")
    for code in range(5):
        if not re.search(rf"^\s*[-*|]?\s*\**`?{code}`?\**", text, re.M):
            problems.append(f"exit status {code} is not documented")
    comp = open(completion, encoding="utf-8").read()
    for c in commands:
        if not re.search(rf"\b{re.escape(c)}\b", comp):
            problems.append(f"bash completion does not offer '{c}'")
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"ok: {len(commands)} commands documented and completed")


main()
