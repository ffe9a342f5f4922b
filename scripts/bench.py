#!/usr/bin/env python3
"""Benchmarks of the dalgo binary: wall time and peak RSS per command.

Runs each case several times against scratch databases on the local
PostgreSQL, then writes the results into docs/benchmarks.md between the
markers for this script. Measures the process: spawn to exit (through GNU
time, ~1 ms of its own), and its peak resident set as GNU time reports it. Usage:

    python3 scripts/bench.py [--runs N] [--binary target/release/dalgo]
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = os.environ.get("DALGO_TEST_PGHOST", "/var/run/postgresql")
# The same server over TCP with TLS, as Dalgo reaches its database (DBHOST).
TCP_HOST = os.environ.get("DALGO_BENCH_TCP_HOST", "127.0.0.1")
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN, END = "<!-- bench.py:begin -->", "<!-- bench.py:end -->"
# The table beside psql has markers of its own, so `--only psql` can refresh it alone.
PSQL_BEGIN, PSQL_END = "<!-- bench.py:psql:begin -->", "<!-- bench.py:psql:end -->"
# And the worker's (issue #15), refreshed by `--only worker`.
WORKER_BEGIN, WORKER_END = "<!-- bench.py:worker:begin -->", "<!-- bench.py:worker:end -->"
# And the worker at scale (issue #29), refreshed by `--only worker-scale`.
SCALE_BEGIN, SCALE_END = "<!-- bench.py:worker-scale:begin -->", "<!-- bench.py:worker-scale:end -->"
# And `apply`'s (issue #31), refreshed by `--only apply`.
APPLY_BEGIN, APPLY_END = "<!-- bench.py:apply:begin -->", "<!-- bench.py:apply:end -->"
# And `import django`'s (issue #28), refreshed by `--only import`.
IMPORT_BEGIN, IMPORT_END = "<!-- bench.py:import:begin -->", "<!-- bench.py:import:end -->"
# And live mode beside manage.py (issue #43), refreshed by `--only live --ddp-backend DIR`.
LIVE_BEGIN, LIVE_END = "<!-- bench.py:live:begin -->", "<!-- bench.py:live:end -->"
# And the sandbox's cost (issue #41), refreshed by `--only confinement`.
CONFINE_BEGIN, CONFINE_END = "<!-- bench.py:confinement:begin -->", "<!-- bench.py:confinement:end -->"


def write_block(begin, end, lines):
    block = "\n".join([begin, *lines, end])
    doc = open(DOC).read() if os.path.exists(DOC) else ""
    if begin in doc and end in doc:
        doc = doc[: doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    else:
        doc += "\n" + block + "\n"
    open(DOC, "w").write(doc)
    print(block)


def url(db):
    return f"postgresql:///{db}?host={HOST}"


def tls_url(db):
    return f"postgresql://{pg_user()}@{TCP_HOST}:5432/{db}?sslmode=require"


def conninfo(db, transport):
    """psql's connection string for the same database over the same transport."""
    if transport == "tls":
        return f"host={TCP_HOST} port=5432 dbname={db} sslmode=require"
    return f"host={HOST} dbname={db}"


def real_psql():
    """psql itself: Debian's /usr/bin/psql is a Perl wrapper (pg_wrapper) that
    adds about 50 ms per start, which would flatter every ratio against it."""
    import glob
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which("psql")


PSQL = real_psql()


def pg_user():
    return subprocess.run(["psql", "-X", "-tAc", "select current_user", "-d", url("postgres")], capture_output=True,
                          text=True, check=True).stdout.strip()


def time_cmd(cmd, env, stdin=None, cwd=None):
    """Wall ms and peak RSS MB of one command, started by GNU time."""
    rss_file = os.path.join(ROOT, "target", "bench-rss")
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file, *cmd], env=env, cwd=cwd,
                          input=(stdin or "").encode(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{cmd} failed: {proc.stderr.decode()}")
    return elapsed * 1000.0, int(open(rss_file).read().split()[-1]) / 1024.0


def paired(name, runs, db, transport, args, sql, before=None, stdin=None, binary=None):
    """dalgo and psql, alternately, over the same transport: psql runs `sql`
    (what the command runs, or its nearest single statement) on its own
    connection, as a script would. Medians of each, and of the paired ratios."""
    db_url = tls_url(db) if transport == "tls" else url(db)
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": db_url, "DALGO_ACTOR": "bench", "HOME": "/nonexistent",
           "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    ours, theirs, rss, ratios = [], [], [], []
    for _ in range(runs):
        if before:
            before()
        t, m = time_cmd([binary, *args], env, stdin)
        if before:
            before()
        p, _ = time_cmd([PSQL, "-X", "-q", "-d", conninfo(db, transport), "-c", sql], env)
        ours.append(t)
        theirs.append(p)
        rss.append(m)
        ratios.append(t / p)
    return {"name": name, "transport": "TCP+TLS" if transport == "tls" else "Unix socket", "runs": runs,
            "median": statistics.median(ours), "min": min(ours), "max": max(ours), "rss": max(rss),
            "psql": statistics.median(theirs), "ratio": statistics.median(ratios)}


def psql(sql, db="postgres"):
    subprocess.run(["psql", "-X", "-q", "-d", url(db), "-c", sql], check=True, stdout=subprocess.DEVNULL)


def drop(db):
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def run_once(binary, args, db, stdin=None, extra_env=None, cwd=None):
    """Runs a command once; returns (wall ms, peak RSS MB). The child is
    started by GNU time, whose small image is what the child is forked from:
    started from Python, the child's ru_maxrss would count Python's memory."""
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": url(db), "DALGO_ACTOR": "bench", "HOME": "/nonexistent",
           **(extra_env or {})}
    rss_file = os.path.join(ROOT, "target", "bench-rss")
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file, binary, *args], env=env, cwd=cwd,
                          input=(stdin or "").encode(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{args} failed: {proc.stderr.decode()}")
    return elapsed * 1000.0, int(open(rss_file).read().split()[-1]) / 1024.0


def find_dbt_venv():
    if os.environ.get("DBT_VENV"):
        return os.environ["DBT_VENV"]
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "dalgo")
    for name in sorted(os.listdir(cache)) if os.path.isdir(cache) else []:
        if os.path.isfile(os.path.join(cache, name, "bin", "dbt")):
            return os.path.join(cache, name)
    return None


def dbt_org(binary, db, venv):
    """bench-ngo with the fixture dbt project (a model and its tests) set up
    locally and this database as its warehouse; the scratch folder, the env
    dalgo needs for it, the project and its profiles folder."""
    work = tempfile.mkdtemp(prefix="dalgo-bench-")
    project = os.path.join(work, "project")
    shutil.copytree(os.path.join(ROOT, "tests", "fixtures", "dbt_project"), project)
    env = {"CLIENTDBT_ROOT": os.path.join(work, "clientdbt"), "DEV_SECRETS_DIR": os.path.join(work, "secrets"),
           "DBT_VENV": venv}
    creds = f"host: {HOST}\nport: 5432\nusername: {pg_user()}\npassword: x\ndatabase: {db}\nschema: bench\n"
    run_once(binary, ["warehouse", "set", "--org", "bench-ngo", "--type", "postgres", "--config", "-"], db, creds, env)
    run_once(binary, ["dbt", "setup", "--org", "bench-ngo", "--local", project], db, None, env)
    return work, env, project, os.path.join(work, "clientdbt", "bench-ngo", "profiles")


def fresh_dbt_org(binary, db, what):
    """The dbt virtualenv and `dbt_org` anew (no workspace, warehouse or
    pipeline left from an earlier measure), or None, said, without one."""
    venv = find_dbt_venv()
    if not venv:
        print(f"no virtualenv with dbt and Prefect (run scripts/test.sh once): skipping {what}", file=sys.stderr)
        return None
    psql("DELETE FROM dbt_workspaces; DELETE FROM warehouses; DELETE FROM pipelines", db)
    return venv, dbt_org(binary, db, venv)


def dbt_overhead(binary, db, runs):
    """`dalgo dbt run` against `dbt run` on the same project and profile,
    interleaved so that drift affects both alike."""
    venv = find_dbt_venv()
    if not venv:
        print("no dbt virtualenv (run scripts/test.sh once): skipping the dbt overhead", file=sys.stderr)
        return []
    work, env, project, profiles = dbt_org(binary, db, venv)
    direct = [os.path.join(venv, "bin", "dbt"), ["run", "--profiles-dir", profiles]]
    samples = {"direct": [], "dalgo": []}
    rss = {"direct": [], "dalgo": []}
    for _ in range(runs):
        for name, (prog, args, cwd) in {"direct": (direct[0], direct[1], project),
                                        "dalgo": (binary, ["dbt", "run", "--org", "bench-ngo"], None)}.items():
            t, m = run_once(prog, args, db, None, env, cwd)
            samples[name].append(t)
            rss[name].append(m)
    noop = [run_once(binary, ["dbt", "run", "--org", "bench-ngo"], db, None, {**env, "DBT_EXECUTABLE": "/bin/true"})
            for _ in range(runs * 2)]
    shutil.rmtree(work)
    row = lambda label, key: {"name": label, "runs": runs, "median": statistics.median(samples[key]),
                              "min": min(samples[key]), "max": max(samples[key]), "rss": max(rss[key])}
    overhead = statistics.median([a - b for a, b in zip(samples["dalgo"], samples["direct"])])
    return [row("`dbt run` directly (fixture project, 1 model)", "direct"),
            row("`dalgo dbt run` on the same project", "dalgo"),
            {"name": "difference, dalgo minus direct (median of paired runs; within dbt's noise)", "runs": runs,
             "median": overhead, "min": float("nan"), "max": float("nan"), "rss": float("nan")},
            {"name": "`dalgo dbt run` with a no-op dbt (`DBT_EXECUTABLE=/bin/true`): dalgo's own work", "runs": len(noop),
             "median": statistics.median(t for t, _ in noop), "min": min(t for t, _ in noop),
             "max": max(t for t, _ in noop), "rss": max(m for _, m in noop)}]


def confinement(binary, db, runs):
    """The sandbox's cost (Landlock, PID and mount namespaces, a fresh /proc,
    dalgo's places covered, git's own configuration): `dalgo dbt run` with a
    no-op dbt (`DBT_EXECUTABLE=/bin/true`, so dbt's own seconds do not hide
    it) with `DALGO_SANDBOX=off` against `require`, interleaved; then per
    worker run, a pipeline of that one dbt step run by a worker in each mode
    (Prefect's start and end times of each run)."""
    venv, (work, dbt_env, _, _) = fresh_dbt_org(binary, db, "confinement") or (None, (None,) * 4)
    if not venv:
        return []
    noop = {**dbt_env, "DBT_EXECUTABLE": "/bin/true"}
    command = {"off": [], "require": []}
    for _ in range(runs):
        for mode in command:
            command[mode].append(run_once(binary, ["dbt", "run", "--org", "bench-ngo"], db, None,
                                          {**noop, "DALGO_SANDBOX": mode})[0])
    worker_runs_ms = {"off": [], "require": []}
    try:
        with prefect_and_stub(binary, db, venv, "--connections", "1") as (api, airbyte_env, _):
            env = {"PREFECT_API_URL": api, "PREFECT_WORKER_POOL_NAME": "bench-pool", **airbyte_env, **noop}
            run_once(binary, ["pipeline", "create", "--org", "bench-ngo", "--name", "step", "--transform", "dbt-run"],
                     db, None, env)
            deployment = scalar("select deployment_id from pipelines where name = 'step'", db)
            for mode in worker_runs_ms:
                worker_env = {**env, "DALGO_SANDBOX": mode}
                with dalgo_worker(binary, db, worker_env, ["--name", f"bench-{mode}", "--poll-interval", "0.2"]):
                    for _ in range(runs):
                        worker_runs_ms[mode].append(one_worker_run(api, deployment))
    finally:
        shutil.rmtree(work)
    row = lambda name, xs: {"name": name, "runs": len(xs), "median": statistics.median(xs), "min": min(xs),
                            "max": max(xs), "rss": float("nan")}
    diff = lambda xs, ys: {"name": "", "runs": len(xs), "median": statistics.median(xs) - statistics.median(ys),
                           "min": float("nan"), "max": float("nan"), "rss": float("nan")}
    return [
        row("`dalgo dbt run`, no-op dbt, `DALGO_SANDBOX=off`", command["off"]),
        row("`dalgo dbt run`, no-op dbt, `DALGO_SANDBOX=require` (confined)", command["require"]),
        {**diff(command["require"], command["off"]), "name": "**cost of the confinement per dbt command**"},
        row("worker run of a one-dbt-step pipeline (RUNNING → COMPLETED), `off`", worker_runs_ms["off"]),
        row("the same, `require` (confined)", worker_runs_ms["require"]),
        {**diff(worker_runs_ms["require"], worker_runs_ms["off"]), "name": "**cost of the confinement per worker run**"},
    ]


def one_worker_run(api, deployment):
    """Starts a run of `deployment` and waits for it to complete; its
    time from RUNNING to its end, by Prefect's timestamps, in ms."""
    run = http("POST", f"{api}/deployments/{deployment}/create_flow_run", {})["id"]
    while (fr := http("GET", f"{api}/flow_runs/{run}"))["state"]["type"] not in ("COMPLETED", "FAILED", "CRASHED",
                                                                                "CANCELLED"):
        time.sleep(0.05)
    if fr["state"]["type"] != "COMPLETED":
        sys.exit(f"run {run} ended {fr['state']['type']}: {fr['state'].get('message')}")
    return (datetime.datetime.fromisoformat(fr["end_time"]) -
            datetime.datetime.fromisoformat(fr["start_time"])).total_seconds() * 1000.0


def measure(name, runs, once, before=None):
    times, rss = [], []
    for _ in range(runs):
        if before:
            before()
        t, m = once()
        times.append(t)
        rss.append(m)
    return {"name": name, "runs": runs, "median": statistics.median(times), "min": min(times), "max": max(times),
            "rss": max(rss)}


def start_stub(binary, db, *args):
    """The Airbyte stub as the org's Airbyte: its process, dalgo's settings
    for it, and the ids of its connections."""
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet", "--example", "airbyte_stub_server"],
                   cwd=ROOT, check=True)
    stub = subprocess.Popen([os.path.join(ROOT, "target", "release", "examples", "airbyte_stub_server"), *args],
                            stdout=subprocess.PIPE, text=True)
    port, workspace = stub.stdout.readline().split()
    psql(f"UPDATE orgs SET airbyte_workspace_id = '{workspace}' WHERE slug = 'bench-ngo'", db)
    env = {"AIRBYTE_SERVER_HOST": "127.0.0.1", "AIRBYTE_SERVER_PORT": port}
    conns = ["airbyte", "connections", "list", "--org", "bench-ngo", "--output", "json"]
    listed = subprocess.run([binary, *conns], env={"PATH": os.environ["PATH"], "DATABASE_URL": url(db), **env},
                            capture_output=True, text=True, check=True)
    return stub, env, [c["connectionId"] for c in json.loads(listed.stdout)]


def airbyte_sync(binary, db, runs):
    """`airbyte sync --all --wait` of 50 connections against the stub with 200 ms
    per call and 2 s jobs, beside one connection's sync, to show the 50 run
    together rather than one after another."""
    stub, env, conns = start_stub(binary, db, "--connections", "50", "--latency-ms", "200", "--job-ms", "2000")
    try:
        first = conns[0]
        wait = ["--wait", "--poll-interval", "0.5"]
        single = measure("`airbyte sync <one connection> --wait` (stub: 200 ms per call, 2 s job)", runs,
                         lambda: run_once(binary, ["airbyte", "sync", first, "--org", "bench-ngo", *wait], db, None, env))
        every = measure("`airbyte sync --all --wait --concurrency 50` (50 connections, same stub)", runs,
                        lambda: run_once(binary, ["airbyte", "sync", "--all", "--org", "bench-ngo", "--concurrency", "50",
                                                  *wait], db, None, env))
        default = measure("`airbyte sync --all --wait` (50 connections, default concurrency 4)", 1,
                          lambda: run_once(binary, ["airbyte", "sync", "--all", "--org", "bench-ngo", *wait], db, None, env))
        return [single, every, default]
    finally:
        stub.kill()


def http(method, url, body=None):
    """One Prefect call; Prefect on SQLite answers 503 when busy, so retry those."""
    for attempt in range(20):
        req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                text = resp.read()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            if e.code != 503 or attempt == 19:
                raise
            time.sleep(0.2 * (attempt + 1))


def prefect_calls(binary, args, db, env):
    """How many Prefect requests one run of a command makes (its -vv log)."""
    full = {"PATH": os.environ["PATH"], "DATABASE_URL": url(db), "HOME": "/nonexistent", **env}
    out = subprocess.run([binary, *args, "-vv"], env=full, capture_output=True, text=True, check=True)
    return out.stderr.count("prefect request")


def whole_logs(binary, db, runs, api, env, deployment):
    """`pipeline logs` of a run with 5 subflows (each with a task run) and
    1,000 log lines, as Dalgo's flow leaves them."""
    run = http("POST", f"{api}/deployments/{deployment}/create_flow_run", {})["id"]
    flow = http("POST", f"{api}/flows/", {"name": "bench-subflow"})["id"]
    base = datetime.datetime.now(datetime.timezone.utc)
    n = 0
    for i in range(5):
        wrapper = http("POST", f"{api}/task_runs/", {"name": f"step{i}", "flow_run_id": run, "task_key": f"step{i}",
                                                    "dynamic_key": "0"})["id"]
        child = http("POST", f"{api}/flow_runs/", {"name": f"dbtjob-step{i}", "flow_id": flow,
                                                   "parent_task_run_id": wrapper})["id"]
        task = http("POST", f"{api}/task_runs/", {"name": f"dbt-step{i}", "flow_run_id": child, "task_key": "t",
                                                 "dynamic_key": "0"})["id"]
        lines = []
        for j in range(200):
            n += 1
            at = (base + datetime.timedelta(milliseconds=n)).isoformat()
            lines.append({"name": "bench", "level": 20, "message": f"step {i} line {j}", "timestamp": at,
                          "flow_run_id": child, "task_run_id": task if j % 2 else None})
        http("POST", f"{api}/logs/", lines)
    args = ["pipeline", "logs", run]
    calls = prefect_calls(binary, args, db, env)
    row = measure(f"`pipeline logs` of a run with 5 subflows and 1,000 lines ({calls} Prefect calls)", runs,
                  lambda: run_once(binary, args, db, None, env))
    return [row]


def wait_per_poll(binary, db, api, env, seconds=10.0, poll=0.1):
    """dalgo's CPU time per status check during `pipeline run --wait`: a run
    kept RUNNING for `seconds` while dalgo polls every `poll` s; user+system
    time of the whole command divided by the checks it made."""
    full = {"PATH": os.environ["PATH"], "DATABASE_URL": url(db), "DALGO_ACTOR": "bench", "HOME": "/nonexistent", **env}
    times = os.path.join(ROOT, "target", "bench-times")
    before = subprocess.run(["psql", "-X", "-tAc", "select count(*) from flow_runs", "-d", url(db)],
                            capture_output=True, text=True, check=True).stdout.strip()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%U %S", "-o", times, binary, "pipeline", "run", "p000", "--org",
                             "bench-ngo", "--wait", "--poll-interval", str(poll), "-vv"], env=full,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    query = "select flow_run_id from flow_runs order by created_at desc limit 1"
    while subprocess.run(["psql", "-X", "-tAc", "select count(*) from flow_runs", "-d", url(db)],
                         capture_output=True, text=True, check=True).stdout.strip() == before:
        time.sleep(0.05)
    run = subprocess.run(["psql", "-X", "-tAc", query, "-d", url(db)], capture_output=True, text=True,
                         check=True).stdout.strip()
    state = lambda t, n: http("POST", f"{api}/flow_runs/{run}/set_state",
                              {"state": {"type": t, "name": n}, "force": True})
    state("RUNNING", "Running")
    time.sleep(seconds)
    state("COMPLETED", "Completed")
    _, err = proc.communicate()
    polls = err.count(f"path=\"/flow_runs/{run}\"")
    user, system = (float(x) for x in open(times).read().split()[-2:])
    per = (user + system) * 1000.0 / max(polls, 1)
    return [{"name": f"`pipeline run --wait`: dalgo's CPU time per status check ({polls} checks in {seconds:.0f} s)",
             "runs": 1, "median": per, "min": float("nan"), "max": float("nan"), "rss": float("nan")}]


def prefect(binary, db, runs):
    """`pipeline list` with 200 pipelines, `pipeline sync-runs` over 1,000
    flow runs, whole logs and waiting, against a real Prefect server
    started for the purpose (and the Airbyte stub, which pipelines' connections
    are checked against)."""
    venv = find_dbt_venv()
    if not venv:
        print("no virtualenv with Prefect (run scripts/test.sh once): skipping the pipeline figures", file=sys.stderr)
        return []
    # The dbt benchmark's warehouse and project are gone with its scratch folder.
    psql("DELETE FROM dbt_workspaces; DELETE FROM warehouses", db)
    with prefect_server(venv, lambda home: f"sqlite+aiosqlite:///{home}/prefect.db") as api:
        stub, airbyte_env, conns = start_stub(binary, db, "--connections", "200")
        try:
            return pipelines(binary, db, runs, api, airbyte_env, conns)
        finally:
            stub.kill()


@contextlib.contextmanager
def prefect_server(venv, database):
    """A Prefect server started for the purpose on a free port, with its
    own home, its database at `database(home)`, and a work pool
    `bench-pool`; its API URL. Stopped, and its home removed, on exit."""
    home = tempfile.mkdtemp(prefix="dalgo-bench-prefect-")
    port = free_port()
    env_p = {**os.environ, "PREFECT_HOME": home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
             "PREFECT_API_DATABASE_CONNECTION_URL": database(home)}
    server = subprocess.Popen([os.path.join(venv, "bin", "prefect"), "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], env=env_p, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        for _ in range(600):
            try:
                http("GET", f"{api}/health")
                break
            except Exception:
                time.sleep(0.3)
        http("POST", f"{api}/work_pools/", {"name": "bench-pool", "type": "process"})
        yield api
    finally:
        os.killpg(server.pid, 15)
        server.wait()
        shutil.rmtree(home, ignore_errors=True)


def pipelines(binary, db, runs, api, airbyte_env, conns):
    """The rows of `prefect`, on its server and stub."""
    env = {"PREFECT_API_URL": api, "PREFECT_WORKER_POOL_NAME": "bench-pool", **airbyte_env}
    for i in range(200):
        run_once(binary, ["pipeline", "create", "--org", "bench-ngo", "--name", f"p{i:03}", "--connection",
                          conns[i], "--no-transform", "--cron", "0 2 * * *"], db, None, env)
    calls = prefect_calls(binary, ["pipeline", "list", "--org", "bench-ngo"], db, env)
    listed = measure(f"`pipeline list` (200 pipelines; {calls} Prefect calls)", runs,
                     lambda: run_once(binary, ["pipeline", "list", "--org", "bench-ngo"], db, None, env))
    deployments = subprocess.run(["psql", "-X", "-tAc", "select deployment_id from pipelines", "-d", url(db)],
                                 capture_output=True, text=True, check=True).stdout.split()
    for dep in deployments:
        for _ in range(5):
            http("POST", f"{api}/deployments/{dep}/create_flow_run", {})
    first = measure("`pipeline sync-runs` recording 1,000 new flow runs (200 deployments)", 1,
                    lambda: run_once(binary, ["pipeline", "sync-runs", "--org", "bench-ngo"], db, None, env))
    again = measure("`pipeline sync-runs` over the same 1,000 runs, nothing changed", runs,
                    lambda: run_once(binary, ["pipeline", "sync-runs", "--org", "bench-ngo"], db, None, env))
    psql("DELETE FROM task_locks", db)
    logs = whole_logs(binary, db, runs, api, env, deployments[0])
    waiting = wait_per_poll(binary, db, api, env)
    return [listed, first, again, *logs, *waiting]


def scalar(sql, db):
    return subprocess.run(["psql", "-X", "-tAc", sql, "-d", url(db)], capture_output=True, text=True,
                          check=True).stdout.strip()


def status_kb(pid, field):
    """A field of /proc/<pid>/status in kB (VmRSS: resident now; VmHWM: peak)."""
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


@contextlib.contextmanager
def prefect_and_stub(binary, db, venv, *stub_args):
    """A Prefect server on a database of its own and the Airbyte stub as
    bench-ngo's Airbyte; (API URL, dalgo's Airbyte settings, connection ids).
    Both stopped, and the database dropped, on exit."""
    prefect_db = "dalgo_bench_prefect"
    drop(prefect_db)
    psql(f'CREATE DATABASE "{prefect_db}"')
    try:
        with prefect_server(venv, lambda _: f"postgresql+asyncpg:///{prefect_db}?host={HOST}") as api:
            stub, airbyte_env, conns = start_stub(binary, db, *stub_args)
            try:
                yield api, airbyte_env, conns
            finally:
                stub.kill()
    finally:
        drop(prefect_db)


@contextlib.contextmanager
def dalgo_worker(binary, db, env, args, stderr=subprocess.DEVNULL):
    """`dalgo worker` with `args` on bench-pool, stopped on exit."""
    full = {"PATH": os.environ["PATH"], "DATABASE_URL": url(db), "DALGO_ACTOR": "bench", "HOME": "/nonexistent", **env}
    proc = subprocess.Popen([binary, "worker", "--pool", "bench-pool", *args], env=full, stdout=subprocess.DEVNULL,
                            stderr=stderr)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait()


def worker(binary, db, runs, job_ms=2000, poll=0.5):
    """`dalgo worker` running Dalgo's pipeline flow: one Airbyte sync (the
    stub, a job of `job_ms`), `dbt run` and `dbt test` on the fixture project.
    Each run is scheduled for now in a real Prefect (on PostgreSQL, as Dalgo
    runs it) and executed by one idle long-running worker polling every
    `poll` s. Per run: the wall time from the scheduled time to the final
    state (Prefect's timestamps), dbt's time (dalgo's records of the dbt
    processes it ran), and what is left once the Airbyte job is taken off
    too: the worker's overhead. Beside it, `dbt run` and `dbt test` run
    directly on the same project, interleaved with the runs."""
    venv, (work, dbt_env, project, profiles) = fresh_dbt_org(binary, db, "the worker") or (None, (None,) * 4)
    if not venv:
        return []
    try:
        with prefect_and_stub(binary, db, venv, "--connections", "1", "--job-ms", str(job_ms)) as (api, airbyte_env,
                                                                                                   conns):
            env = {"PREFECT_API_URL": api, "PREFECT_WORKER_POOL_NAME": "bench-pool", **airbyte_env, **dbt_env}
            run_once(binary, ["pipeline", "create", "--org", "bench-ngo", "--name", "daily", "--connection",
                              conns[0], "--transform", "dbt-run,dbt-test"], db, None, env)
            deployment = scalar("select deployment_id from pipelines where name = 'daily'", db)
            with dalgo_worker(binary, db, env, ["--name", "bench-worker", "--poll-interval", str(poll)]) as proc:
                while not http("POST", f"{api}/work_pools/bench-pool/workers/filter", {}):
                    time.sleep(0.1)
                time.sleep(20 * poll)  # idle: registered, twenty polls of an empty queue
                idle = status_kb(proc.pid, "VmRSS") / 1024.0
                return worker_runs(binary, db, runs, api, deployment, proc, job_ms, poll, idle,
                                   [os.path.join(venv, "bin", "dbt"), project, profiles, dbt_env])
    finally:
        shutil.rmtree(work)


def worker_runs(binary, db, runs, api, deployment, proc, job_ms, poll, idle, direct):
    """The runs of `worker` and their rows."""
    dbt, project, profiles, dbt_env = direct
    seconds = lambda a, b: (datetime.datetime.fromisoformat(b) - datetime.datetime.fromisoformat(a)).total_seconds()
    walls, pickups, dbts, overheads, alone = [], [], [], [], []
    for _ in range(runs):
        alone.append(sum(run_once(dbt, [cmd, "--profiles-dir", profiles], db, None, dbt_env, project)[0]
                         for cmd in ("run", "test")))
        before = scalar("select coalesce(max(id), 0) from dbt_runs", db)
        run = http("POST", f"{api}/deployments/{deployment}/create_flow_run", {})["id"]
        while (fr := http("GET", f"{api}/flow_runs/{run}"))["state"]["type"] not in ("COMPLETED", "FAILED",
                                                                                    "CRASHED", "CANCELLED"):
            time.sleep(0.05)
        if fr["state"]["type"] != "COMPLETED":
            sys.exit(f"the worker's run {run} ended {fr['state']['type']}: {fr['state'].get('message')}")
        wall = seconds(fr["expected_start_time"], fr["end_time"]) * 1000.0
        spent = float(scalar("select coalesce(sum(extract(epoch from ended_at - started_at)), 0) from dbt_runs "
                             f"where id > {before}", db)) * 1000.0
        walls.append(wall)
        pickups.append(seconds(fr["expected_start_time"], fr["start_time"]) * 1000.0)
        dbts.append(spent)
        overheads.append(wall - spent - job_ms)
    peak = status_kb(proc.pid, "VmHWM") / 1024.0
    row = lambda name, xs: {"name": name, "runs": runs, "median": statistics.median(xs), "min": min(xs),
                            "max": max(xs), "rss": float("nan")}
    one = lambda name, v, rss=float("nan"): {"name": name, "runs": 1, "median": v, "min": float("nan"),
                                             "max": float("nan"), "rss": rss}
    return [
        row("wall time, scheduled → COMPLETED (sync, `dbt run`, `dbt test`)", walls),
        row(f"of which waiting to be picked up (the worker polls every {poll} s)", pickups),
        row("of which dbt (`dbt run` + `dbt test` as the worker ran them, dalgo's records)", dbts),
        one("of which the Airbyte job (the stub's, fixed)", float(job_ms)),
        row("**overhead per run**: wall − dbt − the Airbyte job", overheads),
        row("reference: `dbt run` + `dbt test` run directly on the same project", alone),
        one("idle worker (registered, polling an empty queue): resident", float("nan"), idle),
        one(f"worker after {runs} runs: peak resident (VmHWM; dbt is its child, not counted)", float("nan"), peak),
    ]


def descendants_rss_kb(pid):
    """The resident memory of every process under `pid` (not `pid` itself), in kB."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    total, todo = 0, list(children.get(pid, []))
    while todo:
        child = todo.pop()
        todo += children.get(child, [])
        try:
            total += status_kb(child, "VmRSS")
        except (OSError, StopIteration):
            pass  # gone, or a zombie
    return total


def worker_scale(binary, db, orgs=100, concurrency=20, job_ms=2000):
    """`orgs` runs scheduled at once on one `dalgo worker --concurrency
    {concurrency}`: as many orgs, each with its warehouse schema, its own copy
    of the fixture project and a pipeline of an Airbyte sync (the stub, a job
    of `job_ms`) and `dbt run`, one run of each created before the worker
    starts. Time to drain (worker start to the last run's end), the worker's
    peak resident, its children's together (sampled), Prefect calls per run."""
    venv = find_dbt_venv()
    if not venv:
        print("no virtualenv with dbt and Prefect (run scripts/test.sh once): skipping the worker", file=sys.stderr)
        return []
    work = tempfile.mkdtemp(prefix="dalgo-bench-scale-")
    env = {"CLIENTDBT_ROOT": os.path.join(work, "clientdbt"), "DEV_SECRETS_DIR": os.path.join(work, "secrets"),
           "DBT_VENV": venv}
    try:
        with prefect_and_stub(binary, db, venv, "--connections", str(orgs), "--job-ms", str(job_ms)) as (
                api, airbyte_env, conns):
            env.update({"PREFECT_API_URL": api, "PREFECT_WORKER_POOL_NAME": "bench-pool", **airbyte_env})
            workspace = scalar("select airbyte_workspace_id from orgs where slug = 'bench-ngo'", db)
            deployments, project = [], None
            for i in range(orgs):
                slug = f"scale-org-{i}"
                run_once(binary, ["createorganduser", f"Scale Org {i}", "admin@bench.example"], db)
                psql(f"UPDATE orgs SET airbyte_workspace_id = '{workspace}' WHERE slug = '{slug}'", db)
                project = os.path.join(work, f"project-{i}")
                shutil.copytree(os.path.join(ROOT, "tests", "fixtures", "dbt_project"), project)
                creds = (f"host: {HOST}\nport: 5432\nusername: {pg_user()}\npassword: x\ndatabase: {db}\n"
                         f"schema: scale_{i}\n")
                run_once(binary, ["warehouse", "set", "--org", slug, "--type", "postgres", "--config", "-"], db,
                         creds, env)
                run_once(binary, ["dbt", "setup", "--org", slug, "--local", project], db, None, env)
                run_once(binary, ["pipeline", "create", "--org", slug, "--name", "daily", "--connection", conns[i],
                                  "--transform", "dbt-run"], db, None, env)
                deployments.append(scalar(f"select p.deployment_id from pipelines p join orgs o on o.id = p.org_id "
                                          f"where o.slug = '{slug}'", db))
            alone = measure("reference: one `dbt run` directly on one org's project", 3,
                            lambda: run_once(os.path.join(venv, "bin", "dbt"),
                                             ["run", "--profiles-dir",
                                              os.path.join(work, "clientdbt", f"scale-org-{orgs - 1}", "profiles")],
                                             db, None, env, project))
            runs = [http("POST", f"{api}/deployments/{d}/create_flow_run", {})["id"] for d in deployments]
            log = open(os.path.join(work, "worker.log"), "w")
            start = time.perf_counter()
            args = ["--name", "bench-scale", "--concurrency", str(concurrency), "--poll-interval", "0.5", "-vv"]
            with dalgo_worker(binary, db, env, args, stderr=log) as proc:
                return scale_drain(api, runs, proc, start, alone, work, orgs, concurrency, job_ms)
    finally:
        shutil.rmtree(work)


def scale_drain(api, runs, proc, start, alone, work, orgs, concurrency, job_ms):
    """Waits for `runs` to end, sampling the worker's children; the rows."""
    final = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
    children_peak, left = 0, list(runs)
    while left:
        children_peak = max(children_peak, descendants_rss_kb(proc.pid))
        states = http("POST", f"{api}/flow_runs/filter", {"flow_runs": {"id": {"any_": left}}, "limit": 200})
        left = [fr["id"] for fr in states if fr["state"]["type"] not in final]
        time.sleep(0.1)
    drained = (time.perf_counter() - start) * 1000.0
    peak = status_kb(proc.pid, "VmHWM") / 1024.0
    ended = http("POST", f"{api}/flow_runs/filter", {"flow_runs": {"id": {"any_": runs}}, "limit": 200})
    bad = [fr for fr in ended if fr["state"]["type"] != "COMPLETED"]
    if bad:
        sys.exit(f"{len(bad)} runs did not complete, e.g. {bad[0]['state']}")
    seconds = lambda a, b: (datetime.datetime.fromisoformat(b) - datetime.datetime.fromisoformat(a)).total_seconds()
    walls = [seconds(fr["start_time"], fr["end_time"]) * 1000.0 for fr in ended]
    calls = open(os.path.join(work, "worker.log")).read().count("prefect request")
    nan = float("nan")
    return [
        {"name": f"time to drain: {orgs} runs (sync with a {job_ms / 1000:g} s job, `dbt run`) scheduled at once, "
                 f"one worker with `--concurrency {concurrency}`", "runs": 1, "median": drained, "min": nan,
         "max": nan, "rss": peak},
        {"name": "each run, RUNNING → COMPLETED (Prefect's times)", "runs": orgs,
         "median": statistics.median(walls), "min": min(walls), "max": max(walls), "rss": nan},
        {"name": f"the worker's children together at their peak (dbt, sampled every 0.1 s)", "runs": 1,
         "median": nan, "min": nan, "max": nan, "rss": children_peak / 1024.0},
        {"name": f"Prefect calls per run (the worker's own, from its -vv log, polls included): "
                 f"{calls / orgs:.1f}", "runs": 1, "median": nan, "min": nan, "max": nan, "rss": nan},
        alone,
    ]


def scale(binary, runs):
    """100,000 orgs (each with a plan and a member: 100,000 users) and 10,000
    stale task locks, on both transports, beside psql running the same SQL."""
    db = "dalgo_bench_scale"
    drop(db)
    run_once(binary, ["migrate"], db)
    psql("""INSERT INTO orgs (name, slug) SELECT 'Org ' || i, 'org-' || i FROM generate_series(1, 100000) i;
            INSERT INTO org_plans (org_id, base_plan) SELECT id, 'Dalgo' FROM orgs;
            INSERT INTO users (email, password) SELECT 'u' || i || '@example.org', '!' FROM generate_series(1, 100000) i;
            INSERT INTO org_users (user_id, org_id, role_id)
            SELECT u.id, o.id, (SELECT id FROM roles WHERE slug = 'analyst')
              FROM (SELECT id, row_number() OVER (ORDER BY id) r FROM users) u
              JOIN (SELECT id, row_number() OVER (ORDER BY id) r FROM orgs) o USING (r);
            INSERT INTO org_tasks (org_id, task_id, connection_id)
            SELECT (SELECT id FROM orgs WHERE slug = 'org-1'), t.id, gen_random_uuid()::text
              FROM tasks t, generate_series(1, 10000) WHERE t.slug = 'airbyte-sync'""", db)
    psql("VACUUM ANALYZE", db)
    lock = lambda: psql("""DELETE FROM task_locks; INSERT INTO task_locks (org_task_id, locked_by, locked_at)
                            SELECT id, 'ghost', now() - interval '2 hours' FROM org_tasks""", db)
    org_sql = ("SELECT o.id, o.uuid, o.name, o.slug, o.airbyte_workspace_id, o.created_at, o.updated_at, "
               "COALESCE(m.members, 0) AS members, p.base_plan FROM orgs o LEFT JOIN org_plans p ON p.org_id = o.id "
               "LEFT JOIN (SELECT org_id, count(*) AS members FROM org_users GROUP BY org_id) m ON m.org_id = o.id "
               "ORDER BY lower(o.name)")
    user_sql = ("SELECT u.email, o.slug AS org, r.slug AS role, ou.email_verified, u.is_system, ou.created_at "
                "FROM org_users ou JOIN users u ON u.id = ou.user_id JOIN roles r ON r.id = ou.role_id "
                "LEFT JOIN orgs o ON o.id = ou.org_id ORDER BY lower(u.email), o.slug NULLS FIRST")
    # What dalgo's statement does once Prefect has been asked (here: locks with
    # no flow run, older than 30 minutes), with the same audit rows.
    release_sql = ("WITH gone AS (DELETE FROM task_locks l USING org_tasks ot WHERE l.org_task_id = ot.id "
                   "AND l.flow_run_id IS NULL AND l.locked_at < now() - interval '30 minutes' "
                   "RETURNING ot.uuid, ot.org_id, ot.task_id, l.flow_run_id, l.locked_by) "
                   "INSERT INTO audit_log (actor, action, resource_type, resource_id, details) "
                   "SELECT 'bench', 'delete', 'task_lock', g.uuid::text, jsonb_build_object('org', o.slug, "
                   "'task', t.slug, 'flow_run_id', g.flow_run_id, 'locked_by', g.locked_by, "
                   "'why', 'no flow run was ever started for it') "
                   "FROM gone g JOIN orgs o ON o.id = g.org_id JOIN tasks t ON t.id = g.task_id")
    rows = []
    for transport in ("socket", "tls"):
        rows += [
            paired("`org list` (100,000 orgs)", runs, db, transport, ["org", "list"], org_sql, binary=binary),
            paired("`org list -o json` (100,000 orgs)", runs, db, transport, ["org", "list", "-o", "json"], org_sql,
                   binary=binary),
            paired("`user list` (100,000 users)", runs, db, transport, ["user", "list"], user_sql, binary=binary),
            paired("`locks release-stale` (10,000 stale locks, audit rows included)", runs, db, transport,
                   ["locks", "release-stale"], release_sql, before=lock, binary=binary),
        ]
    drop(db)
    return rows


# A Dalgo Django database of 1,000 orgs (a plan, a warehouse, a dbt workspace,
# 3 org tasks, a pipeline of 3 steps, 10 flow runs and a flag override each)
# and 20,000 users (one membership each), on tests/fixtures/django/schema.sql.
DJANGO_ROWS = """
INSERT INTO django_migrations (id, app, name, applied) VALUES (1, 'ddpui', '0001_initial', now());
INSERT INTO ddpui_role (id, uuid, slug, name, level) VALUES (1, gen_random_uuid(), 'member', 'Member', 1),
  (2, gen_random_uuid(), 'analyst', 'Analyst', 2), (4, gen_random_uuid(), 'admin', 'Admin', 4),
  (5, gen_random_uuid(), 'super-admin', 'Super Admin', 5);
INSERT INTO ddpui_task (id, type, slug, label, command, is_system) VALUES (1, 'git', 'git-pull', 'GIT pull', 'pull', true),
  (4, 'dbt', 'dbt-run', 'DBT run', 'run', true), (6, 'airbyte', 'airbyte-sync', 'AIRBYTE sync', NULL, true);
INSERT INTO ddpui_orgdbt (id, gitrepo_url, project_dir, target_type, default_schema, transform_type, created_at, updated_at,
                          branch_name, is_repo_managed_by_system)
  SELECT i, 'https://github.com/ngo/dbt' || i || '.git', 'org-' || i || '/dbtrepo', 'postgres', 'analytics', 'github',
         now(), now(), 'main', false FROM generate_series(1, 1000) i;
INSERT INTO ddpui_org (id, name, slug, airbyte_workspace_id, dbt_id, created_at, updated_at, queue_config)
  SELECT i, 'Org ' || i, 'org-' || i, gen_random_uuid()::text, i, now(), now(), '{}' FROM generate_series(1, 1000) i;
INSERT INTO ddpui_orgplans (id, org_id, base_plan, superset_included, subscription_duration, features, can_upgrade_plan,
                            upgrade_requested, created_at, updated_at)
  SELECT i, i, 'DALGO', false, 'Annual', '{}', true, false, now(), now() FROM generate_series(1, 1000) i;
INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
  SELECT i, 'pbkdf2_sha256$600000$abcdefghijklmnopqrstuv$/J0CpZ3vcK9I1h75JC/iU/sNXIXDOUp63J0kPWutYKA=', false,
         'u' || i || '@example.org', '', '', 'u' || i || '@example.org', false, true, now() FROM generate_series(1, 20000) i;
INSERT INTO ddpui_orguser (id, org_id, user_id, email_verified, new_role_id, created_at, updated_at, llm_optin,
                           has_seen_rbac_notice)
  SELECT i, (i - 1) % 1000 + 1, i, true, 2, now(), now(), false, false FROM generate_series(1, 20000) i;
INSERT INTO ddpui_orgfeatureflag (id, flag_name, flag_value, org_id) SELECT i, 'DATA_QUALITY', true, i FROM generate_series(1, 1000) i;
INSERT INTO ddpui_orgwarehouse (id, wtype, credentials, org_id, airbyte_destination_id, name, created_at, updated_at)
  SELECT i, 'postgres', 'warehouseCreds-org-' || i || '-x', i, gen_random_uuid()::text, 'warehouse', now(), now()
    FROM generate_series(1, 1000) i;
INSERT INTO ddpui_orgtask (id, connection_id, org_id, task_id, parameters, generated_by, uuid, created_at, updated_at, dbt_id)
  SELECT 3 * i - 3 + k, CASE WHEN k = 1 THEN gen_random_uuid()::text END, i, (ARRAY[6, 1, 4])[k], '{}', 'system',
         gen_random_uuid(), now(), now(), CASE WHEN k > 1 THEN i END
    FROM generate_series(1, 1000) i, generate_series(1, 3) k;
INSERT INTO ddpui_orgdataflowv1 (id, name, deployment_name, deployment_id, cron, dataflow_type, org_id, created_at, updated_at)
  SELECT i, 'nightly', 'pipeline-org-' || i || '-nightly', gen_random_uuid()::text, '0 2 * * *', 'orchestrate', i, now(), now()
    FROM generate_series(1, 1000) i;
INSERT INTO ddpui_datafloworgtask (id, dataflow_id, orgtask_id, seq, created_at, updated_at)
  SELECT 3 * i - 3 + k, i, 3 * i - 3 + k, k, now(), now() FROM generate_series(1, 1000) i, generate_series(1, 3) k;
INSERT INTO ddpui_prefectflowrun (id, deployment_id, flow_run_id, name, start_time, expected_start_time, total_run_time,
                                  status, state_name, retries, created_at, updated_at)
  SELECT 10 * i - 10 + k, d.deployment_id, gen_random_uuid()::text, 'run', now(), now(), 60, 'COMPLETED', 'Completed', 0,
         now(), now()
    FROM generate_series(1, 1000) i JOIN ddpui_orgdataflowv1 d ON d.id = i, generate_series(1, 10) k;
"""

# What the import reads, as psql would read it: the floor for moving the rows.
IMPORT_READ_SQL = "; ".join(f"COPY (SELECT * FROM {t}) TO STDOUT" for t in (
    "ddpui_org", "ddpui_orgplans", "auth_user", "ddpui_userattributes", "ddpui_orguser", "ddpui_role", "ddpui_task",
    "ddpui_orgfeatureflag", "ddpui_orgwarehouse", "ddpui_orgdbt", "ddpui_orgtask", "ddpui_orgdataflowv1",
    "ddpui_datafloworgtask", "ddpui_tasklock", "ddpui_prefectflowrun", "ddpui_airbytejob"))


def import_bench(binary, runs):
    """`import django` of 1,000 orgs and 20,000 users into an empty dalgo
    database (secrets copied from a directory), again (nothing to do), and as
    a dry run; beside psql reading the same tables."""
    src, dst = "dalgo_bench_django", "dalgo_bench_import"
    drop(src)
    psql(f'CREATE DATABASE "{src}"')
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url(src), "-f",
                    os.path.join(ROOT, "tests", "fixtures", "django", "schema.sql")], check=True, stdout=subprocess.DEVNULL)
    psql(DJANGO_ROWS, src)
    psql("VACUUM ANALYZE", src)
    work = tempfile.mkdtemp(prefix="dalgo-bench-import-")
    secrets = os.path.join(work, "django-secrets")
    os.makedirs(secrets)
    for i in range(1, 1001):
        name = f"warehouseCreds-org-{i}-x"
        with open(os.path.join(secrets, name), "w") as f:
            json.dump({"Name": name, "SecretId": name, "SecretString": json.dumps({"password": f"pw-{i}"})}, f)
    store = os.path.join(work, "store")
    env = {"DEV_SECRETS_DIR": store, "CLIENTDBT_ROOT": os.path.join(work, "clientdbt")}
    args = ["import", "django", "--from", url(src), "--secrets-dir", secrets]

    def fresh():
        drop(dst)
        shutil.rmtree(store, ignore_errors=True)
        run_once(binary, ["migrate"], dst, extra_env=env)

    rows = [
        measure("`import django` into an empty database (1,000 orgs, 20,000 users, 1,000 secrets copied)", runs,
                lambda: run_once(binary, args, dst, extra_env=env), before=fresh),
        measure("`import django` again: nothing to do", runs, lambda: run_once(binary, args, dst, extra_env=env)),
        measure("`import django --dry-run` into an empty database", runs,
                lambda: run_once(binary, [*args, "--dry-run"], dst, extra_env=env), before=fresh),
        measure(f"reference: `{PSQL}` reading the same tables (COPY … TO STDOUT)", runs,
                lambda: time_cmd([PSQL, "-X", "-q", "-d", conninfo(src, "socket"), "-c", IMPORT_READ_SQL],
                                 {"PATH": os.environ["PATH"]})),
    ]
    drop(dst)
    drop(src)
    shutil.rmtree(work, ignore_errors=True)
    return rows


def live_database(binary, db):
    """A Dalgo Django database built as the suite builds it (tests/fixtures/django at DDP_backend e2f35e17,
    every migration of that commit recorded), `dalgo migrate`d: live mode."""
    drop(db)
    psql(f'CREATE DATABASE "{db}"')
    fixtures = os.path.join(ROOT, "tests", "fixtures", "django")
    for f in ("schema.sql", "rows.sql", "sequences.sql"):
        subprocess.run(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", url(db), "-f",
                        os.path.join(fixtures, f)], check=True, stdout=subprocess.DEVNULL)
    known = open(os.path.join(ROOT, "crates", "dalgo", "src", "db", "ddpui_migrations.txt")).read().split()
    names = [n for n in known if n[:1].isdigit() and n != "0001_initial"]
    psql("INSERT INTO django_migrations (app, name, applied) VALUES "
         + ", ".join(f"('ddpui', '{n}', now())" for n in names), db)
    run_once(binary, ["migrate"], db)


def live_bench(binary, runs, own_db, ddp):
    """Each command three ways: dalgo in live mode on a Dalgo database, Dalgo's `manage.py` (DDP_backend's
    own virtualenv) on the same database, and dalgo on a database of its own with the same org."""
    db = "dalgo_bench_live"
    live_database(binary, db)
    run_once(binary, ["createorganduser", "Bench NGO", "admin@bench.example", "--password-stdin"], db, "pw-bench")
    django_env = {"PATH": os.environ["PATH"], "DBNAME": db, "DBHOST": HOST, "DBPORT": "5432", "DBUSER": pg_user(),
                  "DJANGOSECRET": "bench", "PASSWORD": "pw-bench"}
    python = os.path.join(ddp, ".venv", "bin", "python")
    commands = [
        ("`createorganduser` for an existing org and user", ["createorganduser", "Bench NGO", "admin@bench.example"],
         ["createorganduser", "Bench NGO", "admin@bench.example"]),
        ("`manage-feature-flags --list-all --org-slug bench-ngo`",
         ["manage-feature-flags", "--list-all", "--org-slug", "bench-ngo"],
         ["manage_feature_flags", "--list-all", "--org-slug", "bench-ngo"]),
        ("`manage-feature-flags DATA_QUALITY --enable --org-slug bench-ngo`",
         ["manage-feature-flags", "DATA_QUALITY", "--enable", "--org-slug", "bench-ngo"],
         ["manage_feature_flags", "DATA_QUALITY", "--enable", "--org-slug", "bench-ngo"]),
        ("`org list`", ["org", "list"], None),
        ("`user list --org bench-ngo`", ["user", "list", "--org", "bench-ngo"], None),
    ]
    rows = []
    for name, ours, theirs in commands:
        rows.append(measure(f"{name}: dalgo, live mode", runs, lambda: run_once(binary, ours, db)))
        if theirs:
            rows.append(measure(f"{name}: `manage.py`, same database", max(3, runs // 3),
                                lambda: time_cmd([python, "manage.py", *theirs], {**django_env, "PWD": ddp}, cwd=ddp)))
        rows.append(measure(f"{name}: dalgo, its own database", runs, lambda: run_once(binary, ours, own_db)))
    drop(db)
    return rows


def write_live(a, db, machine):
    if not a.ddp_backend:
        sys.exit("--only live needs --ddp-backend DIR: DDP_backend at e2f35e17 with its .venv (uv sync --frozen)")
    write_block(LIVE_BEGIN, LIVE_END, table(
        f"Measured {machine}; release build; PostgreSQL on its local Unix socket; {a.runs} runs of dalgo, "
        f"{max(3, a.runs // 3)} of manage.py (DDP_backend e2f35e17, Django 4.2, its own virtualenv) each.",
        "command", live_bench(a.binary, a.runs, db, a.ddp_backend)))


def apply_bench(binary, runs, orgs=100):
    """`apply -f DIR` of 100 org documents (three members and a flag of their
    own each, from `org export`): the plan of the unchanged directory, then
    an edit of two changes per org (a role, the flag) applied, beside the
    same 200 changes made by the imperative commands (`user set-role`,
    `manage-feature-flags`), one process each, as a script would."""
    db = "dalgo_bench_apply"
    drop(db)
    run_once(binary, ["migrate"], db)
    work = tempfile.mkdtemp(prefix="dalgo-bench-apply-")
    docs, edited = os.path.join(work, "orgs"), os.path.join(work, "edited")
    os.makedirs(docs)
    os.makedirs(edited)
    for i in range(orgs):
        slug = f"apply-org-{i}"
        run_once(binary, ["createorganduser", f"Apply Org {i}", f"boss@org{i}.example", "--password-stdin"], db, "pw")
        for who in ("ana", "bo"):
            run_once(binary, ["user", "add", f"{who}@org{i}.example", "--org", slug, "--role", "analyst",
                              "--password-stdin"], db, "a-long-password-1")
        run_once(binary, ["manage-feature-flags", "DATA_QUALITY", "--enable", "--org-slug", slug], db)
        env = {"PATH": os.environ["PATH"], "DATABASE_URL": url(db), "HOME": "/nonexistent"}
        text = subprocess.run([binary, "org", "export", slug], env=env, capture_output=True, text=True,
                              check=True).stdout
        open(os.path.join(docs, f"{slug}.yaml"), "w").write(text)
        edit = text.replace(f"email: ana@org{i}.example\n  role: analyst", f"email: ana@org{i}.example\n  role: member")
        edit = edit.replace("DATA_QUALITY: true", "DATA_QUALITY: false")
        if edit.count("role: member") != 1 or "DATA_QUALITY: false" not in edit:
            sys.exit(f"the export of {slug} is not as expected:\n{text}")
        open(os.path.join(edited, f"{slug}.yaml"), "w").write(edit)

    def imperative(role, flag):
        total, rss = 0.0, 0.0
        for i in range(orgs):
            slug = f"apply-org-{i}"
            for args in (["user", "set-role", f"ana@org{i}.example", "--org", slug, "--role", role],
                         ["manage-feature-flags", "DATA_QUALITY", flag, "--org-slug", slug]):
                t, m = run_once(binary, args, db)
                total, rss = total + t, max(rss, m)
        return total, rss

    back = lambda: run_once(binary, ["apply", "-f", docs], db)
    rows = apply_airbyte(binary, runs, db, work)
    rows += [
        measure(f"`apply -f DIR --dry-run`: {orgs} orgs, nothing to change", runs,
                lambda: run_once(binary, ["apply", "-f", docs, "--dry-run"], db)),
        measure(f"`apply -f DIR --dry-run`: {orgs} orgs, 2 changes each planned", runs,
                lambda: run_once(binary, ["apply", "-f", edited, "--dry-run"], db)),
        measure(f"`apply -f DIR`: {orgs} orgs, 2 changes each applied ({2 * orgs} changes)", runs,
                lambda: run_once(binary, ["apply", "-f", edited], db), before=back),
        measure(f"the same {2 * orgs} changes by `user set-role` and `manage-feature-flags`, one process each",
                max(1, runs // 2), lambda: imperative("member", "--disable"), before=back),
    ]
    drop(db)
    shutil.rmtree(work, ignore_errors=True)
    return rows


def apply_airbyte(binary, runs, db, work, connections=50):
    """One org whose workspace (the Airbyte stub, no added latency) has a
    source and 50 connections: its export planned unchanged (`--dry-run`,
    the `airbyte` section read and compared), beside listing the same
    connections (`airbyte connections list`), one Airbyte call."""
    run_once(binary, ["createorganduser", "Bench NGO", "boss@bench.example", "--password-stdin"], db, "pw")
    stub, env, _ = start_stub(binary, db, "--connections", str(connections))
    try:
        doc = os.path.join(work, "bench-ngo.yaml")
        text = subprocess.run([binary, "org", "export", "bench-ngo"], capture_output=True, text=True, check=True,
                              env={"PATH": os.environ["PATH"], "DATABASE_URL": url(db), "HOME": "/nonexistent", **env})
        if "connections:" not in text.stdout:
            sys.exit(f"the export of bench-ngo has no connections:\n{text.stdout}")
        open(doc, "w").write(text.stdout)
        return [
            measure(f"`apply -f FILE --dry-run`: one org, its Airbyte section (1 source, {connections} connections) "
                    "read and compared, nothing to change", runs,
                    lambda: run_once(binary, ["apply", "-f", doc, "--dry-run"], db, extra_env=env)),
            measure(f"`airbyte connections list` of the same org ({connections} connections, one Airbyte call)", runs,
                    lambda: run_once(binary, ["airbyte", "connections", "list", "--org", "bench-ngo"], db,
                                     extra_env=env)),
        ]
    finally:
        stub.kill()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "dalgo"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--dbt-runs", type=int, default=8)
    ap.add_argument("--airbyte-runs", type=int, default=3)
    ap.add_argument("--prefect-runs", type=int, default=5)
    ap.add_argument("--worker-runs", type=int, default=5)
    ap.add_argument("--import-runs", type=int, default=5)
    ap.add_argument("--apply-runs", type=int, default=5)
    ap.add_argument("--confinement-runs", type=int, default=10)
    ap.add_argument("--ddp-backend", help="DDP_backend at e2f35e17 with its .venv, for --only live")
    ap.add_argument("--only", choices=["psql", "worker", "worker-scale", "import", "apply", "confinement", "live"],
                    help="measure only the rows beside psql (socket and TCP+TLS), only `dalgo worker`, "
                         "or only `dalgo import django`")
    a = ap.parse_args()
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)

    fresh, db = "dalgo_bench_fresh", "dalgo_bench"
    drop(db)
    run_once(a.binary, ["migrate"], db)
    run_once(a.binary, ["createorganduser", "Bench NGO", "admin@bench.example", "--password-stdin"], db, "pw-bench")
    for i in range(20):
        run_once(a.binary, ["createorganduser", f"Bench Org {i}", "admin@bench.example"], db)
    run_once(a.binary, ["manage-feature-flags", "REPORTS", "--enable"], db)
    run_once(a.binary, ["manage-feature-flags", "DATA_QUALITY", "--enable", "--org-slug", "bench-ngo"], db)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    machine = f"{datetime.date.today()} on {platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu})"
    if a.only == "worker":
        write_worker(a, db, machine)
        drop(db)
        return
    if a.only == "worker-scale":
        write_worker_scale(a, db, machine)
        drop(db)
        return
    if a.only == "apply":
        write_apply(a, machine)
        drop(db)
        return
    if a.only == "import":
        write_import(a, machine)
        drop(db)
        return
    if a.only == "confinement":
        write_confinement(a, db, machine)
        drop(db)
        return
    if a.only == "live":
        write_live(a, db, machine)
        drop(db)
        return

    org_sql = ("SELECT o.id, o.uuid, o.name, o.slug, o.airbyte_workspace_id, o.created_at, o.updated_at, "
               "COALESCE(m.members, 0) AS members, p.base_plan FROM orgs o LEFT JOIN org_plans p ON p.org_id = o.id "
               "LEFT JOIN (SELECT org_id, count(*) AS members FROM org_users GROUP BY org_id) m ON m.org_id = o.id "
               "ORDER BY lower(o.name)")
    migrated_sql = "SELECT version, checksum FROM _sqlx_migrations WHERE success"
    flags_sql = ("WITH o AS (SELECT id FROM orgs WHERE slug = 'bench-ngo') SELECT f.name, f.description, "
                 "g.value AS global_value, ov.value AS org_value, EXISTS (SELECT 1 FROM o) AS org_exists "
                 "FROM feature_flags f LEFT JOIN feature_flag_values g ON g.flag_name = f.name AND g.org_id IS NULL "
                 "LEFT JOIN feature_flag_values ov ON ov.flag_name = f.name AND ov.org_id = (SELECT id FROM o) "
                 "ORDER BY f.name")
    transport_rows = []
    for transport in ("socket", "tls"):
        transport_rows += [
            paired("`org list` (21 orgs)", a.runs, db, transport, ["org", "list"], org_sql, binary=a.binary),
            paired("`org list -o json` (21 orgs)", a.runs, db, transport, ["org", "list", "-o", "json"], org_sql,
                   binary=a.binary),
            paired("`migrate` with nothing to do", a.runs, db, transport, ["migrate"], migrated_sql, binary=a.binary),
            paired("`createorganduser` for an existing org and user (psql: `select 1`)", a.runs, db, transport,
                   ["createorganduser", "Bench NGO", "admin@bench.example"], "select 1", binary=a.binary),
            paired("`manage-feature-flags --list-all --org bench-ngo`", a.runs, db, transport,
                   ["manage-feature-flags", "--list-all", "--org", "bench-ngo"], flags_sql, binary=a.binary),
        ]
    transport_rows += scale(a.binary, max(3, a.runs // 3))
    write_block(PSQL_BEGIN, PSQL_END, [
        f"Measured {machine}; release build. Each run of dalgo is paired with one of psql (`{PSQL}` itself, "
        f"not Debian's Perl wrapper) running the same statement on its own connection; TCP+TLS is "
        f"`sslmode=require` to {TCP_HOST}:5432, TLS 1.3.",
        "",
        "| command | transport | dalgo median ms | psql median ms | dalgo / psql (median of pairs) | dalgo peak RSS MB |",
        "|---|---|---:|---:|---:|---:|",
        *[f"| {r['name']} | {r['transport']} | {fmt(r['median'])} | {fmt(r['psql'])} | {r['ratio']:.2f} | "
          f"{fmt(r['rss'])} |" for r in transport_rows],
    ])
    if a.only == "psql":
        drop(db)
        return

    results = [
        measure("`migrate` with no database (creates it, schema, seed)", a.runs,
                lambda: run_once(a.binary, ["migrate"], fresh), before=lambda: drop(fresh)),
        measure("`migrate` on an existing empty database (schema, seed)", a.runs,
                lambda: run_once(a.binary, ["migrate"], fresh),
                before=lambda: (drop(fresh), psql(f'CREATE DATABASE "{fresh}"'))),
        measure("`migrate` with nothing to do", a.runs, lambda: run_once(a.binary, ["migrate"], db)),
        measure("`createorganduser` for an existing org and user", a.runs,
                lambda: run_once(a.binary, ["createorganduser", "Bench NGO", "admin@bench.example"], db)),
        measure("`org list` (21 orgs)", a.runs, lambda: run_once(a.binary, ["org", "list"], db)),
        measure("`manage-feature-flags --list-all --org bench-ngo`", a.runs,
                lambda: run_once(a.binary, ["manage-feature-flags", "--list-all", "--org", "bench-ngo"], db)),
    ]
    results += dbt_overhead(a.binary, db, a.dbt_runs)
    results += airbyte_sync(a.binary, db, a.airbyte_runs)
    results += prefect(a.binary, db, a.prefect_runs)
    drop(fresh)
    write_block(BEGIN, END, table(f"Measured {machine}, PostgreSQL on its local Unix socket; release build; "
                                  f"{a.runs} runs each.", "command", results))
    write_worker(a, db, machine)
    write_worker_scale(a, db, machine)
    write_import(a, machine)
    write_apply(a, machine)
    write_confinement(a, db, machine)
    drop(db)


def write_confinement(a, db, machine):
    rows = confinement(a.binary, db, a.confinement_runs)
    if rows:
        write_block(CONFINE_BEGIN, CONFINE_END, table(
            f"Measured {machine}; release build; PostgreSQL on its local Unix socket; Prefect 3.6.29 on "
            f"PostgreSQL; {a.confinement_runs} runs each, the two modes interleaved (commands) or one after the "
            "other (worker runs).", "measure", rows))


def write_apply(a, machine):
    write_block(APPLY_BEGIN, APPLY_END, table(
        f"Measured {machine}; release build; PostgreSQL on its local Unix socket; {a.apply_runs} runs each "
        "(the imperative row: fewer, each is 200 processes).", "command", apply_bench(a.binary, a.apply_runs)))


def write_import(a, machine):
    write_block(IMPORT_BEGIN, IMPORT_END, table(
        f"Measured {machine}; release build; PostgreSQL on its local Unix socket; {a.import_runs} runs each.",
        "command", import_bench(a.binary, a.import_runs)))


def fmt(v):
    return "" if v != v else f"{v:.1f}"  # NaN: not applicable


def table(heading, first, rows):
    return [heading, "", f"| {first} | median ms | min ms | max ms | peak RSS MB |", "|---|---:|---:|---:|---:|",
            *[f"| {r['name']} | {fmt(r['median'])} | {fmt(r['min'])} | {fmt(r['max'])} | {fmt(r['rss'])} |"
              for r in rows]]


def write_worker(a, db, machine):
    rows = worker(a.binary, db, a.worker_runs)
    if rows:
        write_block(WORKER_BEGIN, WORKER_END, table(
            f"Measured {machine}; release build; {a.worker_runs} runs, one after another, on one worker; "
            "Prefect 3.6.29 on PostgreSQL; the Airbyte stub with a 2 s job.", "measure", rows))


def write_worker_scale(a, db, machine):
    rows = worker_scale(a.binary, db)
    if rows:
        write_block(SCALE_BEGIN, SCALE_END, table(
            f"Measured {machine}; release build; Prefect 3.6.29 on PostgreSQL; the Airbyte stub with a 2 s job; "
            "100 orgs, each its own pipeline, project and warehouse schema.", "measure", rows))


if __name__ == "__main__":
    main()
