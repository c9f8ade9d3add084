"""The first-run checklist is ticked by the archive's own state."""

from app.services import first_run, network, roster_import, vaults


def _done(vault):
    return {s.key: s.done for s in first_run.checklist(vault)}


def test_a_new_archive_has_all_four_steps_to_do(vault):
    steps = first_run.checklist(vault)
    assert [s.label for s in steps] == [
        "导入学生名册",
        "设置四级网络（至少校长和心理教师）",
        "选择备份文件夹",
        "加入市平台",
    ]
    assert not any(s.done for s in steps) and not first_run.finished(steps)


def test_each_step_is_ticked_when_it_is_done(vault, roster_csv, tmp_path):
    assert roster_import.import_roster(vault, roster_csv).applied
    assert _done(vault)["roster"] and not _done(vault)["network"]
    network.set_contact(vault, "principal", "李校长")
    assert not _done(vault)["network"]  # the counselor too
    network.set_contact(vault, "counselor", "王老师")
    vaults.set_setting(vault, "backup_folder", str(tmp_path / "usb"))
    assert _done(vault) == {"roster": True, "network": True, "backup": True, "city": False}
