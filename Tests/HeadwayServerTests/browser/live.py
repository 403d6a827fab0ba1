#!/usr/bin/env python3
"""The dashboard's live updates end to end: opens a page in headless Chromium, runs a command
(`headway load` of a new figure, a separate process), and waits for the open page to show what
the command changed, without reloading it. Prints JSON on standard output:
{"problems": [...], "seconds_after_command": s}.

Usage: live.py CONFIG.json, where CONFIG has "base", "path", "command" (an argument list),
"expect" (strings the page's <main> must come to contain) and "within" (seconds allowed after
the command has finished). Exit status 3 when something it needs is missing.
"""
import json
import subprocess
import sys
import time

from dashboard import browser, console_errors, resize


def main():
    with open(sys.argv[1]) as file:
        config = json.load(file)
    problems, elapsed = [], None
    driver = browser(True)
    try:
        resize(driver, 1280)
        driver.get(config["base"] + config["path"])
        driver.execute_script("window.headwayKept = true;")
        # Read in the page itself: the script swaps <main>, so a found element may go stale.
        main_text = lambda: driver.execute_script("return document.querySelector('main').innerText")
        live_note = lambda: driver.execute_script("return document.getElementById('live').textContent")
        already = [text for text in config["expect"] if text in main_text()]
        if already:
            problems.append(f"the page shows {already} before the command ran")
        # The page subscribes once its script has run; give the stream a moment to open.
        time.sleep(1)
        command = subprocess.run(config["command"], capture_output=True, text=True)
        if command.returncode != 0:
            problems.append(f"the command failed ({command.returncode}): {command.stderr[-500:]}")
        finished = time.monotonic()
        deadline = finished + config["within"]
        while time.monotonic() < deadline:
            if all(text in main_text() for text in config["expect"]) and live_note().startswith("Updated"):
                elapsed = round(time.monotonic() - finished, 3)
                break
            time.sleep(0.05)
        if elapsed is None:
            missing = [text for text in config["expect"] if text not in main_text()]
            problems.append(f"{config['within']} s after the command the page still lacks {missing}; "
                            f"the live note says {live_note()!r}")
        if driver.execute_script("return window.headwayKept") is not True:
            problems.append("the page was reloaded instead of updated in place")
        problems += [f"console error: {message}" for message in console_errors(driver)]
    finally:
        driver.quit()
    json.dump({"problems": problems, "seconds_after_command": elapsed}, sys.stdout)


if __name__ == "__main__":
    main()
