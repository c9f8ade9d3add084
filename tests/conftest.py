"""Shared fixtures: real SQLCipher vaults in tmp folders, a cheap-but-real Argon2id, Chinese UI."""

import os
import shutil

# The school PC's screen (1366×768) rather than offscreen Qt's 800×800 square.
SCREENS = os.path.join(os.path.dirname(__file__), "ui", "screens")
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREENS}/1366x768.json"

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from app.i18n import set_language  # noqa: E402
from app.services import roster_import, synthetic, vaults  # noqa: E402
from app.vault.kdf import KdfParams  # noqa: E402

# Real Argon2id with small memory so hundreds of unlocks stay fast; production uses interactive().
FAST_KDF = KdfParams(memory_kib=8 * 1024, iterations=1, parallelism=1)
PASSPHRASE = "春风十里2026-test"


@pytest.fixture(scope="session", autouse=True)
def qt_speaks_chinese(qapp):
    from app.ui.application import install_qt_translations

    install_qt_translations(qapp, "zh_CN")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XINDANG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in ("XINDANG_PASSPHRASE", "XINDANG_VAULT", "XINDANG_USER"):
        monkeypatch.delenv(name, raising=False)
    set_language("zh_CN")
    yield
    set_language("zh_CN")


@pytest.fixture(autouse=True)
def inline_lanes():
    """Widgets' work runs on the calling thread, in order, unless a test installs real lanes
    (a Shell made with `Ops()` does): clicks then read like the person's sequence of events."""
    from app.ui import ops

    ops.install(ops.Ops(inline=True))
    yield
    ops.install(ops.Ops(inline=True))


@pytest.fixture(autouse=True)
def widgets_read_in_lanes():
    """Every widget's vault work goes through the lanes (`app/ui/ops.py`): a session opened on
    the window's thread, outside a lane's work, from a widget's code fails the test that did it
    (tests' own set-up, which calls use cases directly, is not a widget's)."""
    import inspect
    import threading

    from app.db import engine
    from app.ui.ops import in_lane

    ui = str(Path(__file__).resolve().parent.parent / "app" / "ui")
    found: list[str] = []

    def watch() -> None:
        if threading.current_thread() is not threading.main_thread() or in_lane():
            return
        frame = inspect.currentframe().f_back
        while frame is not None:
            if frame.f_code.co_filename.startswith(ui):
                found.append(f"{frame.f_code.co_filename}:{frame.f_lineno}")
                return
            frame = frame.f_back

    engine.watch_sessions(watch)
    yield
    engine.watch_sessions(None)
    assert not found, "the vault was read on the window's thread from: " + ", ".join(
        sorted(set(found))
    )


@pytest.fixture
def no_sleep():
    delays: list[float] = []
    return delays


@pytest.fixture
def make_vault(tmp_path):
    opened = []

    def make(name: str = "vault", passphrase: str = PASSPHRASE):
        vault, code = vaults.create_vault(
            tmp_path / name,
            school_name="测试中学",
            admin_login="admin",
            admin_name="王老师",
            passphrase=passphrase,
            kdf=FAST_KDF,
        )
        vault.kdf = FAST_KDF
        opened.append(vault)
        return vault, code

    yield make
    for v in opened:
        v.lock()


@pytest.fixture(scope="session")
def vault_templates(tmp_path_factory) -> Path:
    """Built once per run: an empty vault and one with the 120-student roster. Tests get copies
    (a file copy and an unlock instead of a migration and an import each time)."""
    base = tmp_path_factory.mktemp("templates")
    home = os.environ.get("XINDANG_HOME")
    os.environ["XINDANG_HOME"] = str(base / "home")
    try:
        empty, _code = vaults.create_vault(
            base / "empty",
            school_name="测试中学",
            admin_login="admin",
            admin_name="王老师",
            passphrase=PASSPHRASE,
            kdf=FAST_KDF,
        )
        empty.lock()
        shutil.copytree(base / "empty", base / "populated")
        populated = vaults.unlock(base / "populated", PASSPHRASE, "admin")
        csv = synthetic.write_roster_csv(
            base / "roster.csv", synthetic.generate_students(120, seed=3)
        )
        report = roster_import.import_roster(populated, csv)
        assert report.applied and report.created == 120
        populated.lock()
    finally:
        if home is None:
            os.environ.pop("XINDANG_HOME", None)
        else:
            os.environ["XINDANG_HOME"] = home
    return base


@pytest.fixture
def vault(request, vault_templates, tmp_path):
    """A fresh vault of this test's own (a copy of the template; populated when the test asks
    for `populated_vault` too, so both names are the same vault)."""
    which = "populated" if "populated_vault" in request.fixturenames else "empty"
    shutil.copytree(vault_templates / which, tmp_path / "vault")
    v = vaults.unlock(tmp_path / "vault", PASSPHRASE, "admin")
    v.kdf = FAST_KDF
    yield v
    v.lock()


@pytest.fixture
def roster_students():
    return synthetic.generate_students(120, seed=3)


@pytest.fixture
def roster_csv(tmp_path, roster_students) -> Path:
    return synthetic.write_roster_csv(tmp_path / "roster.csv", roster_students)


@pytest.fixture
def populated_vault(vault):
    """The vault with the 120 students of `roster_students` imported (from the template)."""
    return vault


@pytest.fixture
def principal(populated_vault):
    """The principal's read-only session on the populated vault (a viewer with their own slot)."""
    vaults.add_user(
        populated_vault,
        login="boss",
        display_name="校长",
        role="viewer",
        passphrase="viewer-pass-1",
    )
    viewer = vaults.unlock(populated_vault.root, "viewer-pass-1", "boss")
    yield viewer
    viewer.lock()


@pytest.fixture
def li(populated_vault):
    """A second counselor (李老师) with her own session: double entry's second person."""
    vaults.add_user(
        populated_vault,
        login="li",
        display_name="李老师",
        role="counselor",
        passphrase="li-passphrase-1",
    )
    session = vaults.unlock(populated_vault.root, "li-passphrase-1", "li")
    yield session
    session.lock()
