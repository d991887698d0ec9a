from .devices import demo_devices_on


def hall(request):
    # demo_devices: the 演示环境 banner on every page (templates/includes/demo_banner.html, admin/base_site.html).
    return {"elder_mode": getattr(request, "elder_mode", False), "demo_devices": demo_devices_on()}
