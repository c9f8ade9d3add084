from app.services import sync, synthetic


def test_enroll_push_pull_roundtrip(enrolled, city):
    city.roster("S-A", synthetic.generate_students(30, seed=1))
    report = sync.sync_now(enrolled)
    assert report.pull.applied.get("roster") == 30
    assert report.digests_ok
    st = sync.status(enrolled)
    assert st.enrolled and st.pending == 0
