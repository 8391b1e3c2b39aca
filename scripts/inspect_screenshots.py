#!/usr/bin/python3
"""Screenshots of nmtx inspect's views for docs/inspect.md, from a running server, as a
laptop screen shows them (the browser window WIDTHxHEIGHT, each view scrolled to the top
of the window): translate (output, heatmap, bipartite view, beam tree), an intervention,
multi-head attention's second head (for a multi-head run), the reference scored, runs side by side and their difference (when two or more are
loaded), the triage table with BLEU by length, and the training view (attention over
training, when the first run has snapshots) at its first and its last validation.

    scripts/inspect_screenshots.py URL OUT_DIR NAME [SENTENCE_INDEX] [--size 1280x800]

writes OUT_DIR/NAME-{translate,heads,intervention,score,compare,difference,triage,training-early,training}.png
(headless chromium)."""
import os
import sys
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "inspect"))
from client import Client  # noqa: E402

args = [a for a in sys.argv[1:] if not a.startswith("--size")]
size = next((a.split("=", 1)[1] if "=" in a else sys.argv[sys.argv.index(a) + 1] for a in sys.argv[1:] if a.startswith("--size")), "1280x800")
if size in args:
    args.remove(size)
width, height = (int(v) for v in size.split("x"))
url, out, name = args[0:3]
index = int(args[3]) if len(args) > 3 else 0
os.makedirs(out, exist_ok=True)
api = Client(url)
runs = api.ok("/api/runs")["runs"]
sentence = api.ok("/api/sentences", {"run": 0, "set": "test"})["sentences"][index]
source, reference = sentence["source"], sentence["reference"]


def wait(css, seconds=120):
    end = time.time() + seconds
    while time.time() < end:
        found = driver.find_elements(By.CSS_SELECTOR, css)
        if found:
            return found
        time.sleep(0.1)
    sys.exit(f"timed out waiting for {css}")


def shoot(element_id, file_name):
    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -8)", element)
    time.sleep(0.3)
    driver.save_screenshot(os.path.join(out, f"{name}-{file_name}.png"))  # the window, as a laptop shows it


options = webdriver.ChromeOptions()
for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}", "--force-device-scale-factor=1"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get(url + "#" + urllib.parse.urlencode({"tab": "translate", "run": 0, "source": source, "beam": 5}))
    wait("#heatmap rect.cell")
    wait("#tree g.node")
    shoot("result", "translate")
    if driver.find_elements(By.CSS_SELECTOR, "#heads .head-tab"):  # multi-head: head 2 drawn large
        driver.find_element(By.CSS_SELECTOR, '#heads .head-tab[data-head="1"]').click()
        time.sleep(0.3)
        shoot("result", "heads")
        driver.find_element(By.CSS_SELECTOR, '#heads .head-tab[data-head="-1"]').click()
    for field, value in [("iv-step", "1"), ("iv-position", "0")]:
        e = driver.find_element(By.ID, field)
        e.clear()
        e.send_keys(value)
    driver.find_element(By.ID, "intervene").click()
    wait('#intervention [data-panel="changed"] rect.cell')
    shoot("intervention", "intervention")
    target = driver.find_element(By.ID, "target")
    target.clear()
    target.send_keys(reference)
    driver.find_element(By.ID, "score").click()
    wait("#scored rect.cell")
    shoot("score-box", "score")
    if len(runs) > 1:
        driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="compare"]').click()
        driver.find_element(By.ID, "compare").click()
        time.sleep(0.5)
        wait("#compare-out .panel svg.heatmap")
        time.sleep(1)
        shoot("compare-out", "compare")
        driver.find_element(By.ID, "compare-diff").click()
        driver.find_element(By.ID, "compare").click()
        end = time.time() + 60
        while " − " not in driver.find_element(By.ID, "compare-out").text and time.time() < end:
            time.sleep(0.1)
        time.sleep(0.5)
        shoot("compare-out", "difference")
    driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="triage"]').click()
    driver.find_element(By.ID, "triage-set").send_keys("test")
    driver.find_element(By.ID, "triage").click()
    wait("#triage-table tbody tr", 900)
    wait("#buckets rect.bar", 900)
    driver.find_element(By.CSS_SELECTOR, '#triage-table th[data-key="bleu"]').click()
    shoot("tab-triage", "triage")
    training = api.ok("/api/training", {"run": 0})
    if len(training["steps"]) >= 2:
        # The watched sentence of at most 15 tokens with the most, at two validations.
        fits = [k for k, s in enumerate(training["sentences"]) if len(s["source"]) <= 15] or [0]
        watched = max(fits, key=lambda k: len(training["sentences"][k]["source"]))
        for step, file_name in [(training["steps"][0], "training-early"), (training["steps"][-1], "training")]:
            driver.get(url + "#" + urllib.parse.urlencode({"tab": "training", "trun": 0, "tsentence": watched, "tstep": step}))
            driver.refresh()
            wait("#training-heatmap rect.cell")
            wait("#training-curves svg.curve")
            shoot("tab-training", file_name)
finally:
    driver.quit()
print(f"screenshots of {name} in {out}")
