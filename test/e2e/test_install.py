#!/usr/bin/env python3
"""`meson install --destdir` (no root needed): the binary, the man page, the
systemd unit, the logrotate file and the example configuration land where
the README's "Installing" section says, under the build's prefix; the unit
names the installed binary and configuration; a second install keeps an
operator's edited configuration."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

TIMEOUT = 120


class InstallTest(harness.TestCase):

    def setUp(self):
        self.build = os.path.dirname(harness.holdfast_path())
        self.dest = tempfile.mkdtemp(prefix="holdfast-e2e-install-")
        self.addCleanup(shutil.rmtree, self.dest, True)
        opts = json.loads(subprocess.run(
            ["meson", "introspect", "--buildoptions", self.build],
            capture_output=True, check=True, timeout=TIMEOUT).stdout)
        self.opt = {o["name"]: o["value"] for o in opts}

    def install(self):
        # --no-rebuild: the suite has built already, and may be running.
        p = subprocess.run(["meson", "install", "-C", self.build, "--no-rebuild",
                            "--destdir", self.dest],
                           capture_output=True, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())

    def path(self, *parts):
        """An installed path: prefix-relative parts joined under DESTDIR."""
        full = os.path.join(self.opt["prefix"], *parts)
        return self.dest + full

    def test_files_land_where_the_readme_says(self):
        self.install()
        etc = self.opt["sysconfdir"]
        files = {
            "bin/holdfast": self.path(self.opt["bindir"], "holdfast"),
            "share/man/man1/holdfast.1": self.path(self.opt["mandir"], "man1",
                                                   "holdfast.1"),
            "lib/systemd/system/holdfast.service": self.path(
                "lib", "systemd", "system", "holdfast.service"),
            "lib/systemd/system/holdfast.socket": self.path(
                "lib", "systemd", "system", "holdfast.socket"),
            "etc/logrotate.d/holdfast": self.path(etc, "logrotate.d", "holdfast"),
            "etc/holdfast/holdfast.ini": self.path(etc, "holdfast", "holdfast.ini"),
        }
        with open(os.path.join(harness.ROOT, "README.md")) as f:
            readme = f.read()
        install = readme[readme.index("## Installing"):]
        for rel, where in files.items():
            self.assertTrue(os.path.isfile(where), "%s not installed at %s" % (rel, where))
            self.assertIn(rel, install, "the README's install section omits " + rel)
        self.assertTrue(os.access(files["bin/holdfast"], os.X_OK))
        # The installed binary runs, and accepts the installed example.
        ini = files["etc/holdfast/holdfast.ini"]
        p = subprocess.run([files["bin/holdfast"], "-t", "-c", ini],
                           capture_output=True, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())
        # The unit runs the installed binary on the installed file.
        with open(files["lib/systemd/system/holdfast.service"]) as f:
            unit = f.read()
        bindir = os.path.join(self.opt["prefix"], self.opt["bindir"])
        confdir = os.path.join(self.opt["prefix"], etc, "holdfast")
        self.assertIn("ExecStart=%s/holdfast -c %s/holdfast.ini" % (bindir, confdir), unit)
        # An edited configuration survives the next install.
        with open(ini, "a") as f:
            f.write("; edited by the operator\n")
        self.install()
        with open(ini) as f:
            self.assertIn("; edited by the operator", f.read())


if __name__ == "__main__":
    harness.main()
