#!/usr/bin/env python3
"""The deployment examples agree with each other and with holdfast: the
CloudFormation templates for an ALB and an NLB (every parameter defined and
used, every !Ref and !GetAtt resolved, security groups, the target group's
health check on health_path at holdfast's port, PROXY v2 on the NLB), and
the Kubernetes sidecar pod (its ConfigMap's ini passes `holdfast -t`, the
readiness probe asks health_path on the listen port, the app's Unix socket
is in a volume both containers mount).

There is no network here, so nothing is deployed: the files are parsed by
a small YAML reader for the block subset they use (below; standard library
only) and, when PyYAML is installed, by PyYAML too, which must agree."""

import configparser
import json
import os
import re
import subprocess
import tempfile
import unittest

import harness

EXAMPLES = harness.EXAMPLES
CFN = ["aws-alb.yaml", "aws-nlb.yaml"]
K8S = "k8s-sidecar.yaml"
PSEUDO = {"AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId",
          "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue"}


# ------------------------------------------------------------- YAML subset

class Tag:
    """A CloudFormation short form: !Ref X, !GetAtt A.B, !Sub '...'."""

    def __init__(self, tag, value):
        self.tag, self.value = tag, value

    def __eq__(self, other):
        return isinstance(other, Tag) and (self.tag, self.value) == (other.tag, other.value)

    def __repr__(self):
        return "%s %r" % (self.tag, self.value)


def _strip_comment(line):
    out, quote = [], None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        out.append(ch)
    return "".join(out).rstrip()


def _split_flow(text):
    items, depth, cur, quote = [], 0, "", None
    for ch in text:
        if quote:
            cur += ch
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        items.append(cur.strip())
    return items


def _scalar(text):
    t = text.strip()
    if t[:1] in ("&", "*", ">", "|", "{", "@", "`") and t != "{}":
        raise ValueError("outside the subset: %r" % t)
    if t.startswith("!"):
        tag, _, rest = t.partition(" ")
        return Tag(tag, _scalar(rest))
    if t.startswith("[") and t.endswith("]"):
        return [_scalar(x) for x in _split_flow(t[1:-1])]
    if t == "{}":
        return {}
    if len(t) >= 2 and t[0] == t[-1] == '"':
        return json.loads(t)
    if len(t) >= 2 and t[0] == t[-1] == "'":
        return t[1:-1].replace("''", "'")
    if re.fullmatch(r"-?[0-9]+", t):
        return int(t)
    if t in ("true", "false"):
        return t == "true"
    if t in ("", "null", "~"):
        return None
    return t


_KEY = re.compile(r"""^("[^"]*"|'[^']*'|[^\s:#'"][^:#]*?):(?:\s+(.*))?$""")


class MiniYaml:
    """Block mappings and sequences by indentation, `|` literals, flow
    lists of scalars, `{}`, quoted scalars, comments, `---` documents and
    CloudFormation tags. Anything else raises ValueError, so an example
    that leaves the subset fails here rather than passing unchecked."""

    def __init__(self, text):
        self.lines = text.split("\n")

    @classmethod
    def load_all(cls, text):
        docs, cur = [], []
        for line in text.split("\n"):
            if line.strip() == "---":
                docs.append(cur)
                cur = []
            else:
                cur.append(line)
        docs.append(cur)
        out = []
        for d in docs:
            p = cls("\n".join(d))
            v = p.parse()
            if v is not None:
                out.append(v)
        return out

    def parse(self):
        self.items = []  # (indent, text, raw line index)
        for n, line in enumerate(self.lines):
            if "\t" in line[:len(line) - len(line.lstrip())]:
                raise ValueError("tab in indentation, line %d" % (n + 1))
            s = _strip_comment(line)
            if s.strip():
                self.items.append((len(s) - len(s.lstrip()), s.strip(), n))
        self.pos = 0
        if not self.items:
            return None
        v = self.block(self.items[0][0])
        if self.pos != len(self.items):
            raise ValueError("unparsed from line %d" % (self.items[self.pos][2] + 1))
        return v

    def literal(self, parent_indent, after_line):
        """A `|` block: raw lines more indented than the parent."""
        body, n = [], after_line + 1
        while n < len(self.lines):
            line = self.lines[n]
            if line.strip() and len(line) - len(line.lstrip()) <= parent_indent:
                break
            body.append(line)
            n += 1
        while body and not body[-1].strip():
            body.pop()
        ind = min(len(l) - len(l.lstrip()) for l in body if l.strip())
        while self.pos < len(self.items) and self.items[self.pos][2] < n:
            self.pos += 1
        return "\n".join(l[ind:] for l in body) + "\n"

    def value_after(self, indent, rest, line):
        if rest is None or rest == "":
            if self.pos < len(self.items) and self.items[self.pos][0] > indent:
                return self.block(self.items[self.pos][0])
            if (self.pos < len(self.items) and self.items[self.pos][0] == indent
                    and self.items[self.pos][1].startswith("- ")):
                return self.block(indent)
            return None
        if rest == "|":
            return self.literal(indent, line)
        return _scalar(rest)

    def block(self, indent):
        ind, text, _ = self.items[self.pos]
        if text.startswith("- ") or text == "-":
            return self.seq(indent)
        return self.mapping(indent)

    def mapping(self, indent):
        out = {}
        while self.pos < len(self.items):
            ind, text, line = self.items[self.pos]
            if ind < indent:
                break
            if ind > indent or text.startswith("- "):
                if ind == indent:
                    break
                raise ValueError("bad indentation, line %d" % (line + 1))
            m = _KEY.match(text)
            if not m:
                raise ValueError("not a key, line %d: %r" % (line + 1, text))
            key = _scalar(m.group(1))
            if key in out:
                raise ValueError("duplicate key %r, line %d" % (key, line + 1))
            self.pos += 1
            out[key] = self.value_after(indent, m.group(2), line)
        return out

    def seq(self, indent):
        out = []
        while self.pos < len(self.items):
            ind, text, line = self.items[self.pos]
            if ind != indent or not text.startswith("-"):
                break
            rest = text[1:].strip()
            if not rest:
                self.pos += 1
                out.append(self.value_after(indent, None, line))
                continue
            if _KEY.match(rest) and not rest.startswith(("!", "[", '"', "'")):
                # "- key: value": a mapping whose keys sit 2 further in.
                self.items[self.pos] = (indent + 2, rest, line)
                out.append(self.mapping(indent + 2))
            else:
                self.pos += 1
                out.append(_scalar(rest))
        return out


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return MiniYaml.load_all(text), text


def pyyaml_docs(text):
    """The same documents through PyYAML, tags mapped to Tag; None when
    PyYAML is not installed."""
    try:
        import yaml
    except ImportError:
        return None

    class Loader(yaml.SafeLoader):
        pass

    def tagged(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            v = loader.construct_scalar(node)
        else:
            v = loader.construct_object(node, deep=True)
        return Tag("!" + suffix, _scalar(v) if isinstance(v, str) else v)
    Loader.add_multi_constructor("!", tagged)
    return [d for d in yaml.load_all(text, Loader=Loader) if d is not None]


# ------------------------------------------------------------- checks

def walk(node):
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)


def example_ini():
    cp = configparser.ConfigParser(inline_comment_prefixes=(";",))
    cp.read(os.path.join(EXAMPLES, "holdfast.ini"))
    return cp


def holdfast_check(text):
    with tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False) as f:
        f.write(text)
    try:
        return subprocess.run([harness.holdfast_path(), "-t", "-c", f.name],
                              capture_output=True, text=True, timeout=20)
    finally:
        os.unlink(f.name)


class ExamplesTest(harness.TestCase):

    def test_reader_agrees_with_pyyaml(self):
        for name in CFN + [K8S]:
            docs, text = load_yaml(os.path.join(EXAMPLES, name))
            other = pyyaml_docs(text)
            if other is None:
                self.skipTest("PyYAML not installed: the subset reader alone checks")
            self.assertEqual(docs, other, name)

    def test_reader_refuses_what_it_does_not_know(self):
        for bad in ("a: 1\n\tb: 2\n", "a:\n  - x\n   y: 1\n", "a: 1\na: 2\n",
                    "a: &x 1\nb: *x\n"):
            with self.assertRaises(ValueError, msg=bad):
                MiniYaml.load_all(bad)

    def test_cloudformation_templates(self):
        ini = example_ini()
        listen_port = int(ini["legacy"]["listen"].rsplit(":", 1)[1])
        health_path = ini["legacy"]["health_path"]
        idle = ini["legacy"]["client_idle_timeout"]
        self.assertTrue(idle.endswith("s"))
        for name in CFN:
            with self.subTest(name):
                docs, _ = load_yaml(os.path.join(EXAMPLES, name))
                self.assertEqual(len(docs), 1)
                t = docs[0]
                self.assertEqual(t["AWSTemplateFormatVersion"], "2010-09-09")
                params, res = t["Parameters"], t["Resources"]
                for p, spec in params.items():
                    self.assertIn("Type", spec, p)
                    self.assertTrue(spec.get("Description"), p)
                used = set()
                for node in walk(t):
                    if isinstance(node, Tag) and node.tag == "!Ref":
                        used.add(node.value)
                        self.assertTrue(node.value in params or node.value in res
                                        or node.value in PSEUDO,
                                        "%s: !Ref %s is undefined" % (name, node.value))
                    if isinstance(node, Tag) and node.tag == "!GetAtt":
                        self.assertIn(node.value.split(".")[0], res, name)
                    if isinstance(node, dict) and "Ref" in node:
                        self.fail("%s: use !Ref, the checks read the short form" % name)
                self.assertEqual(sorted(set(params) - used), [],
                                 "%s: parameters never used" % name)
                self.assertEqual(params["HoldfastPort"]["Default"], listen_port)
                self.assertEqual(params["HealthPath"]["Default"], health_path)

                kinds = {}
                for r in res.values():
                    kinds.setdefault(r["Type"], []).append(r["Properties"])
                tg, = kinds["AWS::ElasticLoadBalancingV2::TargetGroup"]
                lb, = kinds["AWS::ElasticLoadBalancingV2::LoadBalancer"]
                lst, = kinds["AWS::ElasticLoadBalancingV2::Listener"]
                self.assertEqual(tg["Port"], Tag("!Ref", "HoldfastPort"))
                self.assertEqual(tg["HealthCheckPath"], Tag("!Ref", "HealthPath"))
                self.assertEqual(tg["HealthCheckProtocol"], "HTTP")
                self.assertEqual(lst["DefaultActions"][0]["TargetGroupArn"],
                                 Tag("!Ref", "TargetGroup"))
                # Security groups: clients to the balancer, the balancer's
                # group (and only it) to holdfast's port.
                sg, = kinds["AWS::EC2::SecurityGroup"]
                self.assertEqual(sg["SecurityGroupIngress"][0]["FromPort"], 80)
                ing, = kinds["AWS::EC2::SecurityGroupIngress"]
                self.assertEqual(ing["FromPort"], Tag("!Ref", "HoldfastPort"))
                self.assertEqual(ing["ToPort"], Tag("!Ref", "HoldfastPort"))
                self.assertEqual(ing["GroupId"], Tag("!Ref", "InstanceSecurityGroupId"))
                self.assertEqual(ing["SourceSecurityGroupId"],
                                 Tag("!GetAtt", "LoadBalancerSecurityGroup.GroupId"))
                self.assertEqual(lb["SecurityGroups"],
                                 [Tag("!GetAtt", "LoadBalancerSecurityGroup.GroupId")])
                attrs = {a["Key"]: a["Value"] for a in tg["TargetGroupAttributes"]}
                self.assertEqual(attrs["deregistration_delay.timeout_seconds"],
                                 Tag("!Ref", "DeregistrationDelay"))
                self.assertGreater(params["DeregistrationDelay"]["Default"], 30)
                if lb["Type"] == "application":
                    self.assertEqual(tg["Protocol"], "HTTP")
                    la = {a["Key"]: a["Value"] for a in lb["LoadBalancerAttributes"]}
                    self.assertLess(int(la["idle_timeout.timeout_seconds"]),
                                    int(idle[:-1]),
                                    "the ALB must close idle connections first")
                else:
                    self.assertEqual(lb["Type"], "network")
                    self.assertEqual(tg["Protocol"], "TCP")
                    self.assertEqual(attrs["proxy_protocol_v2.enabled"], "true")
        self.assertEqual(sorted(f for f in os.listdir(EXAMPLES)
                                if f.endswith((".yaml", ".yml"))),
                         sorted(CFN + [K8S]), "every YAML example is checked")

    def test_kubernetes_sidecar(self):
        docs, _ = load_yaml(os.path.join(EXAMPLES, K8S))
        by_kind = {d["kind"]: d for d in docs}
        self.assertEqual(sorted(by_kind), ["ConfigMap", "Pod", "Service"])
        text = by_kind["ConfigMap"]["data"]["holdfast.ini"]
        p = holdfast_check(text)
        self.assertEqual(p.returncode, 0, p.stderr)
        cp = configparser.ConfigParser(inline_comment_prefixes=(";",))
        cp.read_string(text)
        m = cp["legacy"]
        backend = m["backend"]
        self.assertTrue(backend.startswith("unix:/"), backend)
        sock_dir = os.path.dirname(backend[5:])
        listen_port = int(m["listen"].rsplit(":", 1)[1])

        pod = by_kind["Pod"]["spec"]
        cs = {c["name"]: c for c in pod["containers"]}
        hf, app = cs["holdfast"], cs["app"]
        self.assertEqual(hf["args"][-1], "/etc/holdfast/holdfast.ini")
        port, = hf["ports"]
        self.assertEqual(port["containerPort"], listen_port)
        probe = hf["readinessProbe"]["httpGet"]
        self.assertEqual(probe["path"], m["health_path"])
        self.assertIn(probe["port"], (listen_port, port["name"]))
        # The socket's directory is one volume both containers mount there.
        mounts = {c: {v["mountPath"]: v["name"] for v in cs[c]["volumeMounts"]}
                  for c in cs}
        self.assertEqual(mounts["holdfast"][sock_dir], mounts["app"][sock_dir])
        self.assertIn("unix:" + backend[5:], " ".join(app["command"]))
        vols = {v["name"]: v for v in pod["volumes"]}
        self.assertIn("emptyDir", vols[mounts["app"][sock_dir]])
        cfg_vol = vols[mounts["holdfast"]["/etc/holdfast"]]
        self.assertEqual(cfg_vol["configMap"]["name"],
                         by_kind["ConfigMap"]["metadata"]["name"])
        shutdown = cp["global"]["shutdown_timeout"]
        self.assertTrue(shutdown.endswith("s"), shutdown)
        self.assertGreater(pod["terminationGracePeriodSeconds"],
                           int(shutdown[:-1]))
        svc = by_kind["Service"]["spec"]
        self.assertEqual(svc["selector"], by_kind["Pod"]["metadata"]["labels"])
        self.assertIn(svc["ports"][0]["targetPort"], (listen_port, port["name"]))

    def test_example_ini_is_valid(self):
        with open(os.path.join(EXAMPLES, "holdfast.ini")) as f:
            p = holdfast_check(f.read())
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    harness.main()
