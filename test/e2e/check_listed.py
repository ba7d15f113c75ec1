#!/usr/bin/env python3
"""Every test/e2e/test_*.py file is run by meson (e2e_tests in meson.build)
and described in the README's table, and neither names a file that is
gone: a new test file cannot be forgotten by either."""

import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def read(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return f.read()


class ListedTest(unittest.TestCase):

    def setUp(self):
        self.files = {f[:-3] for f in os.listdir(HERE)
                      if f.startswith("test_") and f.endswith(".py")}

    def test_readme_table_lists_every_file(self):
        rows = set(re.findall(r"^\| `(test_\w+)\.py` \|", read("README.md"), re.M))
        self.assertEqual(sorted(self.files - rows), [], "missing from README.md")
        self.assertEqual(sorted(rows - self.files), [], "in README.md, no such file")

    def test_meson_runs_every_file(self):
        block = re.search(r"e2e_tests = \[(.*?)\]", read("meson.build"), re.S)
        self.assertIsNotNone(block, "no e2e_tests list in meson.build")
        run = set(re.findall(r"'(test_\w+)'", block.group(1)))
        self.assertEqual(sorted(self.files - run), [], "not run by meson.build")
        self.assertEqual(sorted(run - self.files), [], "in meson.build, no such file")


if __name__ == "__main__":
    unittest.main(verbosity=2, argv=sys.argv[:1])
