def test_home_page_tiles_and_axe(hall):
    page = hall.visit("/")
    assert page.get_by_role("heading", name="家庭共济服务大厅").is_visible()
    assert page.get_by_text("政策查询").is_visible()
