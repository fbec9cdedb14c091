"""python3 sandbox.py UNIT-FILE COMMAND...: runs COMMAND under the system
call filters the systemd unit asks for, as systemd would apply them, so
that a test can prove the program tolerates them without systemd as
PID 1 (tests/blackbox/ops.py service_sandbox).

From the unit it reads SystemCallFilter= (allowed groups and names; a
line starting with ~ takes them away again), SystemCallErrorNumber=,
RestrictAddressFamilies= and MemoryDenyWriteExecute=; groups are
expanded by `systemd-analyze syscall-filter`. Three seccomp filters
(libseccomp through ctypes), each as systemd builds it: the allow list
(anything else fails with the error number), socket() of another family
fails with EAFNOSUPPORT, and no memory both writable and executable
(mmap with PROT_WRITE|PROT_EXEC, mprotect or pkey_mprotect adding
PROT_EXEC, shmat with SHM_EXEC). libseccomp sets no_new_privs, as
NoNewPrivileges= does. Not emulated: the mount namespace settings
(ProtectSystem= and the like) and the capability bounding set.
"""

import ctypes
import errno
import os
import re
import subprocess
import sys

ACT_ALLOW = 0x7fff0000
CMP_EQ, CMP_GE, CMP_MASKED_EQ = 4, 5, 7
FAMILIES = {"AF_UNIX": 1, "AF_INET": 2, "AF_INET6": 10}
PROT_WRITE, PROT_EXEC, SHM_EXEC = 2, 4, 0o100000


def act_errno(e):
    return 0x00050000 | (e & 0xffff)


class ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


def expand(name, seen=None):
    """The system calls of a name or @group, groups expanded."""
    if not name.startswith("@"):
        return {name}
    seen = seen if seen is not None else set()
    if name in seen:
        return set()
    seen.add(name)
    out = subprocess.run(["systemd-analyze", "syscall-filter", name],
                         capture_output=True, text=True, check=True).stdout
    calls = set()
    for line in out.splitlines()[1:]:
        w = line.strip()
        if w and not w.startswith("#"):
            calls |= expand(w, seen)
    return calls


def unit_settings(path):
    allow, deny, families, mdwe, err = set(), set(), None, False, errno.EPERM
    with open(path) as f:
        for line in f:
            m = re.match(r"^(\w+)=(.*)$", line.strip())
            if not m:
                continue
            key, val = m.groups()
            if key == "SystemCallFilter":
                if val.startswith("~"):
                    for w in val[1:].split():
                        deny |= expand(w)
                else:
                    for w in val.split():
                        allow |= expand(w)
            elif key == "SystemCallErrorNumber":
                err = getattr(errno, val)
            elif key == "RestrictAddressFamilies":
                families = {FAMILIES[w] for w in val.split()}
            elif key == "MemoryDenyWriteExecute":
                mdwe = val == "yes"
    return allow - deny, families, mdwe, err


class Filter:
    def __init__(self, lib, default):
        self.lib = lib
        self.ctx = lib.seccomp_init(ctypes.c_uint32(default))
        if not self.ctx:
            raise OSError("seccomp_init failed")

    def rule(self, action, name, *cmps):
        nr = self.lib.seccomp_syscall_resolve_name(name.encode())
        if nr == -1:        # __NR_SCMP_ERROR: not a call of this arch
            return
        arr = (ArgCmp * max(1, len(cmps)))(*[ArgCmp(*c) for c in cmps])
        rc = self.lib.seccomp_rule_add_array(
            ctypes.c_void_p(self.ctx), ctypes.c_uint32(action), nr,
            len(cmps), arr)
        if rc != 0 and rc != -errno.EDOM and rc != -errno.EFAULT:
            raise OSError(-rc, "seccomp_rule_add %s" % name)

    def load(self):
        rc = self.lib.seccomp_load(ctypes.c_void_p(self.ctx))
        if rc != 0:
            raise OSError(-rc, "seccomp_load")


def main():
    unit, cmd = sys.argv[1], sys.argv[2:]
    allow, families, mdwe, err = unit_settings(unit)
    lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    filters = []
    if allow:
        f = Filter(lib, act_errno(err))
        for name in sorted(allow):
            f.rule(ACT_ALLOW, name)
        filters.append(f)
    if families is not None:
        f = Filter(lib, ACT_ALLOW)
        bad = act_errno(errno.EAFNOSUPPORT)
        top = max(families)
        for fam in range(top + 1):
            if fam not in families:
                f.rule(bad, "socket", (0, CMP_EQ, fam, 0))
        f.rule(bad, "socket", (0, CMP_GE, top + 1, 0))
        filters.append(f)
    if mdwe:
        f = Filter(lib, ACT_ALLOW)
        bad = act_errno(errno.EPERM)
        wx = PROT_WRITE | PROT_EXEC
        f.rule(bad, "mmap", (2, CMP_MASKED_EQ, wx, wx))
        f.rule(bad, "mprotect", (2, CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC))
        f.rule(bad, "pkey_mprotect", (2, CMP_MASKED_EQ, PROT_EXEC,
                                      PROT_EXEC))
        f.rule(bad, "shmat", (2, CMP_MASKED_EQ, SHM_EXEC, SHM_EXEC))
        filters.append(f)
    # The allow list last: seccomp() itself is not on it.
    for f in filters[1:] + filters[:1]:
        f.load()
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
