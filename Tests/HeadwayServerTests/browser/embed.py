#!/usr/bin/env python3
"""Puts Headway's embed and badge on a page of another origin, as a news site would, and checks
them in headless Chromium (through Selenium, with the helpers of dashboard.py); prints
{"problems": [...], "checked": n} as JSON on standard output.

The host page is served by a small http.server on http://localhost:PORT, while Headway is on
http://127.0.0.1:PORT: another origin. On it, at every width: the embed's frame shows its title,
a chart and nothing wider than the frame, with no text under 11 px and no serious or critical
axe-core violation inside it; a dashboard page framed the same way is refused (its
frame-ancestors 'none'), and so is the embed of a server whose --embed-origins leaves this origin
out ("refused_base"); the badge, inline and as an <img>, passes axe and loads. With
"screenshots", the host page is saved there as host-WIDTH.png.

Usage: embed.py CONFIG.json, where CONFIG has "base", "embed" (a path), "page" (a dashboard
path), "badge" (a path), "widths", and optionally "refused_base" and "screenshots".
"""
import http.server
import json
import os
import sys
import tempfile
import threading
import urllib.request

from dashboard import MEASURE, browser, console_errors, resize
from selenium.webdriver.common.by import By
from axe_selenium_python import Axe


def serve(directory):
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def axe_problems(driver, where):
    axe = Axe(driver)
    axe.inject()
    return [f"{where}: axe {v['impact']} {v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
            for v in axe.run()["violations"] if v["impact"] in ("serious", "critical")]


def framed_document(driver, frame_id):
    """The framed document's title and whether it has a <main>: a refused frame shows neither."""
    driver.switch_to.frame(driver.find_element(By.ID, frame_id))
    try:
        return driver.execute_script("return [document.title, !!document.querySelector('main')]")
    finally:
        driver.switch_to.default_content()


def check_embed(driver, host, config, width, problems):
    resize(driver, width)
    driver.get(host + "/host.html")
    where = f"the embed framed on {host} at {width} px"
    driver.switch_to.frame(driver.find_element(By.ID, "embed"))
    try:
        title = driver.find_elements(By.CSS_SELECTOR, "h1 a")
        if not title or not title[0].text.strip():
            problems.append(f"{where}: no title linking back")
        elif not title[0].get_attribute("href").startswith(config["base"] + "/commitments/"):
            problems.append(f"{where}: the title links to {title[0].get_attribute('href')}")
        if not any(svg.is_displayed() for svg in driver.find_elements(By.CSS_SELECTOR, ".chart svg")):
            problems.append(f"{where}: no chart shown")
        problems.extend(f"{where}: {problem}" for problem in driver.execute_script(MEASURE))
        problems.extend(axe_problems(driver, where))
    finally:
        driver.switch_to.default_content()
    if config.get("screenshots"):
        driver.save_screenshot(os.path.join(config["screenshots"], f"host-{width}.png"))
    title, has_main = framed_document(driver, "page")
    if has_main:
        problems.append(f"{where}: a dashboard page ({config['page']}) was shown in a frame: {title}")
    if config.get("refused_base"):
        title, has_main = framed_document(driver, "refused")
        if has_main:
            problems.append(f"{where}: the embed of a server whose --embed-origins leaves {host} out was shown: {title}")
    # The refused frames are logged as errors, each naming frame-ancestors; anything else is a problem.
    messages = console_errors(driver)
    refusals = [message for message in messages if "frame-ancestors" in message]
    expected = 2 if config.get("refused_base") else 1
    if len(refusals) < expected:
        problems.append(f"{where}: {len(refusals)} frames refused for their frame-ancestors, not {expected}: {messages}")
    problems.extend(f"{where}: console error: {message}" for message in messages if message not in refusals)


def check_badge(driver, host, config, problems):
    resize(driver, 1280)
    driver.get(host + "/badge.html")
    where = f"the badge on {host}"
    loaded = driver.execute_script("const i = document.querySelector('img'); return i.complete && i.naturalWidth > 0")
    if not loaded:
        problems.append(f"{where}: the <img> of the badge did not load")
    problems.extend(axe_problems(driver, where))


def main():
    with open(sys.argv[1]) as file:
        config = json.load(file)
    base, problems = config["base"], []
    with urllib.request.urlopen(base + config["badge"], timeout=30) as response:
        badge = response.read().decode("utf-8")
    directory = tempfile.mkdtemp()
    refused = (f'<iframe id="refused" src="{config["refused_base"]}{config["embed"]}" title="Refused" width="300" height="100"></iframe>'
               if config.get("refused_base") else "")
    with open(os.path.join(directory, "host.html"), "w") as file:
        file.write(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A news article</title><link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body {{ margin: 0; font-family: sans-serif; }} main {{ max-width: 44rem; margin: 0 auto; padding: 0 0.5rem; }}</style></head>
<body><main><h1>An article about a pledge</h1><p>The pledge, as it stands:</p>
<iframe id="embed" src="{base}{config["embed"]}" title="The pledge's progress" width="100%" height="520" style="border:0" loading="lazy"></iframe>
<iframe id="page" src="{base}{config["page"]}" title="A dashboard page" width="300" height="100"></iframe>{refused}
</main></body></html>""")
    with open(os.path.join(directory, "badge.html"), "w") as file:
        file.write(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A page with a badge</title><link rel="icon" href="data:,"></head>
<body><main><h1>Badges</h1><p>Inline: {badge}</p>
<p>As an image: <img src="{base}{config["badge"]}" alt="The pledge's status"></p></main></body></html>""")
    server = serve(directory)
    host = f"http://localhost:{server.server_address[1]}"
    driver = browser(True)
    try:
        for width in config["widths"]:
            check_embed(driver, host, config, width, problems)
        check_badge(driver, host, config, problems)
    finally:
        driver.quit()
        server.shutdown()
    problems = [problem if len(problem) <= 300 else problem[:300] + "…" for problem in problems]
    json.dump({"problems": problems, "checked": len(config["widths"])}, sys.stdout)


if __name__ == "__main__":
    main()
