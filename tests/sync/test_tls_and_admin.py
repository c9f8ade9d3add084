"""TLS with a pinned certificate, and the city admin's command line and overview."""

import subprocess
import sys

import pytest

from app.services import assessments, students, sync
from app.sync.transport import CertificateRejected, CityClient
from cloud.pgcluster import free_port
from cloud.serve import ServerThread
from cloud.tls import fingerprint, make_self_signed


@pytest.fixture
def tls_city(city, tmp_path):
    cert, key = make_self_signed(tmp_path / "tls")
    server = ServerThread(city.store, free_port(), certfile=str(cert), keyfile=str(key)).start()
    yield server, cert
    server.stop()


def test_enrollment_pins_the_certificate_and_sync_runs_over_tls(vault, city, tls_city):
    server, cert = tls_city
    e = sync.enroll(vault, server.url, city.code(), fingerprint(cert).upper())
    assert e.pin_pem and e.server_url.startswith("https://")
    assert sync.sync_now(vault).digests_ok


def test_a_wrong_fingerprint_stops_enrollment_before_the_code_is_sent(vault, city, tls_city):
    server, cert = tls_city
    code = city.code()
    with pytest.raises(sync.SyncFailed, match="证书"):
        sync.enroll(vault, server.url, code, "ab" * 32)
    assert sync.enroll(vault, server.url, code, fingerprint(cert)).device_id  # code still unused


def test_a_self_signed_server_without_a_pin_is_not_trusted(vault, city, tls_city):
    server, _cert = tls_city
    with pytest.raises(sync.SyncFailed, match="证书不是受信任.*证书指纹.*--fingerprint"):
        sync.enroll(vault, server.url, city.code(), None)


def test_a_pinned_client_refuses_another_server(vault, city, tls_city, tmp_path):
    server, cert = tls_city
    sync.enroll(vault, server.url, city.code(), fingerprint(cert))
    other_cert, other_key = make_self_signed(tmp_path / "other")
    impostor = ServerThread(
        city.store, free_port(), certfile=str(other_cert), keyfile=str(other_key)
    ).start()
    try:
        client = CityClient(impostor.url, "x:y", pin_pem=cert.read_text(), retries=0)
        with pytest.raises(CertificateRejected):
            client.request("GET", "/api/v1/health")
    finally:
        impostor.stop()


def test_plain_http_is_refused_for_enrollment(vault, city):
    with pytest.raises(sync.SyncFailed, match="https"):
        sync.enroll(vault, city.url, city.code())


def _cloud(pg_url, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cloud", "--db", pg_url, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_admin_cli_publishes_a_gbk_roster_and_issues_codes(city, pg_cluster, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(
        "学籍号,姓名,性别,年级,班级\nG1,张三,男,七年级,2班\nG2,李四,女,7,3\n".encode("gbk")
    )
    done = _cloud(pg_cluster.url, "publish-roster", "S-A", str(roster))
    assert done.returncode == 0 and done.stdout.strip() == "2 changed", done.stderr
    code = _cloud(pg_cluster.url, "issue-code", "S-A").stdout.strip()
    assert len(code) == 19 and code.count("-") == 3
    refused = _cloud(pg_cluster.url, "issue-code", "NOPE")
    assert refused.returncode == 1 and "NOPE" in refused.stderr


def test_the_overview_rolls_results_up_from_school_to_district_to_city(
    populated_vault, city, pg_cluster, roster_students
):
    city.roster("S-A", roster_students)
    sync.enroll(populated_vault, city.url, city.code("S-A"), allow_plain_http=True)
    kids = students.search_students(populated_vault, students.StudentFilter(), limit=3)
    for kid in kids:
        assessments.record_result(populated_vault, kid.id, "GAD-7", [3] * 7, mode="paper")
    sync.sync_now(populated_vault)
    done = _cloud(pg_cluster.url, "overview")
    out = done.stdout
    lines = out.splitlines()
    assert lines, done.stderr
    assert lines[0].startswith("示例市 [city C] devices=1 results=3")
    school = next(line for line in lines if "测试中学" in line)
    assert "results=3" in school and school.startswith("    ")
    assert any("GAD-7·" in line and line.rstrip().endswith(": 3") for line in lines)
    assert "results=0" in next(line for line in lines if "西区" in line)
