#!/usr/bin/env python3
"""Drives headless Chromium over the web dashboard's pages (Debian's chromium and
chromium-driver, through Selenium) and prints what it found as JSON on standard output:
{"problems": [...], "first_contentful_paint_ms": {path: ms}, "checked": n}.

For every page, at every width: no console error, nothing wider than the page, no text under
11 CSS px (chart text included, scaled as drawn), every chart with at least three value ticks
and no tick label overlapping other chart text, and no serious or critical axe-core violation.
With JavaScript disabled, every figure of a page is still shown. With it, sorting the overview
swaps the list in place. Exit status 3 (with the reason on stderr) when something it needs is
missing, so the test that runs it fails with an install hint rather than skipping.

Usage: dashboard.py CONFIG.json, where CONFIG has "base" (http://127.0.0.1:PORT), "pages"
([{"path": "/", "figures": n or null, "rows": n or null}]), "widths" and "paint" (paths to time).
"""
import json
import shutil
import sys

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from axe_selenium_python import Axe
except ImportError as error:
    print(f"the dashboard's browser tests need Selenium and axe-selenium-python ({error}): run scripts/install-dependencies "
          "(or: python3 -m pip install --user selenium axe-selenium-python)", file=sys.stderr)
    sys.exit(3)


def executable(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    print(f"the dashboard's browser tests need {names[0]}: run scripts/install-dependencies (apt-get install chromium chromium-driver)",
          file=sys.stderr)
    sys.exit(3)


CHROMIUM = executable("chromium", "chromium-browser", "google-chrome")
DRIVER = executable("chromedriver")

# Every element laid out inside the page's width, chart text inside its chart, and the font
# size of every piece of text as shown (SVG text scaled by its chart's transform).
MEASURE = """
const width = document.documentElement.clientWidth, problems = [];
if (document.documentElement.scrollWidth > width) problems.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + width);
for (const el of document.body.querySelectorAll('*')) {
  if (el.getClientRects().length === 0) continue;
  const r = el.getBoundingClientRect();
  if (r.width > 0 && (r.left < -0.5 || r.right > width + 0.5)) problems.push('outside the page: <' + el.tagName + '> ' + Math.round(r.left) + '..' + Math.round(r.right));
  if (el instanceof SVGTextElement) {
    const chart = el.ownerSVGElement.getBoundingClientRect();
    if (r.left < chart.left - 0.5 || r.right > chart.right + 0.5) problems.push('chart text cut off: ' + el.textContent);
  }
  if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim() !== '')) continue;
  let size = parseFloat(getComputedStyle(el).fontSize);
  if (el instanceof SVGGraphicsElement) { const m = el.getScreenCTM(); size *= Math.hypot(m.a, m.b); }
  if (size < 11) problems.push('text under 11 px (' + size.toFixed(1) + '): ' + el.textContent.trim().slice(0, 40));
}
return problems.slice(0, 20);
"""


# Every chart shown has at least three value ticks and two date ticks, and no tick label's box
# overlaps another text's in the same chart.
TICKS = """
const problems = [];
for (const svg of document.querySelectorAll('.chart svg')) {
  if (svg.getClientRects().length === 0) continue;
  const values = svg.querySelectorAll('text.tick-y').length, dates = svg.querySelectorAll('text.tick-x').length;
  if (values < 3 || dates < 2) problems.push('chart with ' + values + ' value and ' + dates + ' date tick labels');
  const texts = [...svg.querySelectorAll('text')].map(t => ({ tick: t.classList.length > 0, text: t.textContent, r: t.getBoundingClientRect() }));
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
    const a = texts[i], b = texts[j];
    if ((a.tick || b.tick) && a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom)
      problems.push('chart text "' + a.text + '" overlaps "' + b.text + '"');
  }
}
return problems.slice(0, 20);
"""


def browser(javascript=True):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


def resize(driver, width):
    # The viewport itself, so a phone's width is exact (a headless window has a minimum width).
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})


def console_errors(driver):
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"]


def check_page(driver, base, page, widths, problems):
    for width in widths:
        resize(driver, width)
        driver.get(base + page["path"])
        where = f"{page['path']} at {width} px"
        for problem in driver.execute_script(MEASURE) + driver.execute_script(TICKS):
            problems.append(f"{where}: {problem}")
        axe = Axe(driver)
        axe.inject()
        for violation in axe.run()["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                problems.append(f"{where}: axe {violation['impact']} {violation['id']}: {violation['help']} {targets}")
        for message in console_errors(driver):
            problems.append(f"{where}: console error: {message}")


def check_without_javascript(driver, base, page, problems):
    resize(driver, 1280)
    driver.get(base + page["path"])
    where = f"{page['path']} without JavaScript"
    if page.get("figures") is not None:
        rows = driver.find_elements(By.CSS_SELECTOR, "table.figures tbody tr")
        shown = [row for row in rows if row.is_displayed() and row.find_element(By.CSS_SELECTOR, "td[data-label=Value]").text.strip()]
        if len(shown) != page["figures"]:
            problems.append(f"{where}: {len(shown)} figures shown, not {page['figures']}")
    if page.get("rows") is not None:
        rows = [row for row in driver.find_elements(By.CSS_SELECTOR, "table.list tbody tr") if row.is_displayed()]
        if len(rows) != page["rows"]:
            problems.append(f"{where}: {len(rows)} commitments listed, not {page['rows']}")
    if page["path"].startswith("/commitments/") and not any(svg.is_displayed() for svg in driver.find_elements(By.CSS_SELECTOR, ".chart svg")):
        problems.append(f"{where}: no chart shown")


def check_sorting_in_place(driver, base, problems):
    """Sorting the overview with the script swaps the list and the URL without loading a page."""
    resize(driver, 1280)
    driver.get(base + "/")
    driver.execute_script("window.headwayKept = true;")
    driver.find_element(By.ID, "sort-deadline").click()
    try:
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "th[aria-sort] #sort-deadline"))
    except Exception:
        problems.append("sorting with the script: the list was not sorted by deadline within 10 s")
        return
    if "sort=deadline" not in driver.current_url:
        problems.append(f"sorting with the script: the URL is {driver.current_url}")
    if driver.execute_script("return window.headwayKept") is not True:
        problems.append("sorting with the script loaded a new page instead of swapping the list")
    for message in console_errors(driver):
        problems.append(f"sorting with the script: console error: {message}")


def first_contentful_paint(driver, base, path):
    resize(driver, 1280)
    driver.get(base + path)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return performance.getEntriesByName('first-contentful-paint').length > 0"))
    return round(driver.execute_script("return performance.getEntriesByName('first-contentful-paint')[0].startTime"), 1)


def main():
    with open(sys.argv[1]) as file:
        config = json.load(file)
    base, problems = config["base"], []
    with_script, without_script = browser(True), browser(False)
    try:
        for page in config["pages"]:
            check_page(with_script, base, page, config["widths"], problems)
            check_without_javascript(without_script, base, page, problems)
        check_sorting_in_place(with_script, base, problems)
        paint = {path: first_contentful_paint(with_script, base, path) for path in config.get("paint", [])}
    finally:
        with_script.quit()
        without_script.quit()
    problems = [problem if len(problem) <= 300 else problem[:300] + "…" for problem in problems]
    json.dump({"problems": problems, "first_contentful_paint_ms": paint, "checked": len(config["pages"]) * len(config["widths"])}, sys.stdout)


if __name__ == "__main__":
    main()
