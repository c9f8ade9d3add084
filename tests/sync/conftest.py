"""A real PostgreSQL cluster (one per test run), a real reference server per test on 127.0.0.1."""

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from cloud.database import Store, create_schema, make_engine
from cloud.limits import Limits
from cloud.orgs import add_org, issue_code
from cloud.pgcluster import Cluster, free_port
from cloud.serve import ServerThread
from cloud.streams import publish_roster

# The fault soak runs hundreds of sessions of one device in a few minutes; rate limits have tests
# of their own (test_city_bounds.py).
GENEROUS = Limits(device_per_minute=1_000_000, device_burst=100_000, enroll_per_minute=10_000)


@pytest.fixture(scope="session")
def pg_cluster():
    folder = Path(tempfile.mkdtemp(prefix="xindang-pg-"))
    cluster = Cluster(folder).start()
    yield cluster
    cluster.stop()
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class City:
    store: Store
    server: ServerThread

    @property
    def url(self) -> str:
        return self.server.url

    def code(self, school: str = "S-A") -> str:
        with self.store.session() as s:
            return issue_code(s, school)

    def roster(self, school: str, students) -> None:
        rows = [
            {
                "student_no": st.student_no,
                "name": st.name,
                "gender": st.gender,
                "birth_date": st.birth_date.isoformat() if st.birth_date else None,
                "grade_level": st.grade,
                "class_number": st.class_no,
                "status": "enrolled",
            }
            for st in students
        ]
        with self.store.session() as s:
            publish_roster(s, school, rows)


def seed_orgs(store: Store) -> None:
    with store.session() as s:
        add_org(s, "city", "C", "示例市")
        add_org(s, "district", "D1", "东区", "C")
        add_org(s, "district", "D2", "西区", "C")
        add_org(s, "school", "S-A", "测试中学", "D1")  # the test vaults' school
        add_org(s, "school", "S-B", "西区实验小学", "D2")


@pytest.fixture
def city(pg_cluster):
    pg_cluster.reset()
    engine = make_engine(pg_cluster.url)
    create_schema(engine)
    store = Store(engine)
    seed_orgs(store)
    server = ServerThread(store, free_port(), limits=GENEROUS).start()
    yield City(store, server)
    server.stop()
    engine.dispose()


@pytest.fixture
def enrolled(vault, city):
    from app.services import sync

    sync.enroll(vault, city.url, city.code("S-A"), allow_plain_http=True)
    return vault


@pytest.fixture
def enrolled_school(populated_vault, city, roster_students):
    """120 students imported locally and on the city's roster of school S-A, enrolled."""
    from app.services import sync

    city.roster("S-A", roster_students)
    sync.enroll(populated_vault, city.url, city.code("S-A"), allow_plain_http=True)
    return populated_vault
