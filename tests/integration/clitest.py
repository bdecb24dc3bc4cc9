"""A tern-cli profile for the CLI tests: a private --home, the environment's providers.json and CA,
and the command run with its output captured."""
import json
import os
import subprocess
import tempfile

from envtest import ENV

CLI = os.environ["TERN_CLI"]


class CliProfile:
    def __init__(self, prefix="tern-cli-"):
        self.home = tempfile.mkdtemp(prefix=prefix)
        self.env = dict(os.environ, TERN_CA_FILE=ENV["TERN_CA_FILE"])

    def command(self, *args):
        return [CLI, "--home", self.home, "--providers", ENV["TERN_PROVIDERS"], *args]

    def run(self, *args, stdin=None, timeout=180, check=True):
        proc = subprocess.run(self.command(*args), input=stdin, capture_output=True, text=True, env=self.env,
                              timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"tern-cli {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def json(self, *args, **kw):
        return json.loads(self.run("--json", *args, **kw).stdout)

    def cleanup(self):
        subprocess.run(["rm", "-rf", self.home], check=True)
