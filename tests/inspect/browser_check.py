"""The inspector's page in a real browser (Debian's chromium through selenium and
chromedriver, nothing downloaded): a sentence is translated and its heatmap has
|source| x |output| cells holding the API's weights; hovering a token highlights its row
and its lines; clicking a beam node forces its prefix; pinning attention gives the API's
continuation; the triage table sorts; two runs show side by side; the training view's
slider shows each validation's recorded matrix with the gold links on the gold cells and
its curves hold the logged points; a picked dev sentence's scored reference outlines its
gold links; multi-head attention's head tabs draw each head's recorded matrix (Translate,
a scored reference, the training view); no console errors;
screenshots are not blank. With NMTX_SCREENSHOTS=DIR the screenshots are kept there.
    browser_check.py URL NMTX TMP"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from client import Client, check, png_pixels_not_background

url, nmtx, tmp = sys.argv[1:4]
api = Client(url)
shots = os.environ.get("NMTX_SCREENSHOTS") or os.path.join(tmp, "shots")
os.makedirs(shots, exist_ok=True)


def wait_for(predicate, what, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        try:
            value = predicate()
            if value:
                return value
        except Exception:  # the page is still changing
            pass
        time.sleep(0.05)
    sys.exit("FAIL: timed out waiting for " + what)


def shoot(element, name):
    path = os.path.join(shots, name + ".png")
    element.screenshot(path)
    check(png_pixels_not_background(path) > 500, f"screenshot {name} is blank")


options = webdriver.ChromeOptions()
for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1300,1000"]:
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    runs = api.ok("/api/runs")["runs"]
    run = next(r for r in runs if r["variant"] == "luong-general")
    source = open(os.path.join(run["dir"], "data", "test.src")).read().splitlines()[1]
    driver.get(url)
    wait_for(lambda: driver.execute_script("return document.body.dataset.ready === '1'"), "the page to start")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#run-table tbody tr")) == 3, "three runs listed")
    heads_run = next(r for r in runs if r["variant"] == "luong-multi-head")
    driver.find_element(By.CSS_SELECTOR, f'#run-table input[data-run="{heads_run["run"]}"]').click()  # compare the comparison's two

    # 1-3. Enter a sentence, translate (beam 5): the heatmap is the API's.
    driver.find_element(By.ID, "run").send_keys(f"{run['name']} ({run['variant']})")
    box = driver.find_element(By.ID, "source")
    box.clear()
    box.send_keys(source)
    driver.find_element(By.ID, "translate").click()
    want = api.ok("/api/translate", {"run": run["run"], "source": source, "beam": 5, "alpha": 0, "n_best": 1,
                                     "hard": False, "monotonic": False, "window": 0, "prefix": []})
    hyp = want["hypotheses"][0]
    S, T = len(want["source_tokens"]), len(hyp["tokens"])
    cells = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#heatmap rect.cell") or None, "the heatmap")
    check(len(cells) == S * T, f"{len(cells)} heatmap cells for {S} x {T}")
    for c in cells:
        t, s, w = int(c.get_attribute("data-t")), int(c.get_attribute("data-s")), float(c.get_attribute("data-w"))
        check(w == hyp["attention"][t][s], f"cell ({t}, {s}) holds {w}, the API {hyp['attention'][t][s]}")
    tokens = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#output .token")]
    check(tokens == hyp["tokens"], f"output tokens {tokens} vs {hyp['tokens']}")
    check(f"source={source.replace(' ', '+')}" in driver.current_url or "source=" in driver.current_url, "the URL holds the state")
    shoot(driver.find_element(By.ID, "result"), "translate")

    # Hover links the views: an output token highlights its heatmap row and dims other lines.
    label = driver.find_element(By.CSS_SELECTOR, '#heatmap .label.out[data-t="1"]')
    ActionChains(driver).move_to_element(label).perform()
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, '#heatmap rect.cell.hl[data-t="1"]'), "the hovered row")
    check(len(driver.find_elements(By.CSS_SELECTOR, '#heatmap rect.cell.hl[data-t="1"]')) == S, "the whole row highlighted")
    check(not driver.find_elements(By.CSS_SELECTOR, '#heatmap rect.cell.hl:not([data-t="1"])'), "only that row")
    lines = driver.find_elements(By.CSS_SELECTOR, "#bipartite .link")
    check(lines and all(("dim" in l.get_attribute("class")) == (l.get_attribute("data-t") != "1") for l in lines),
          "the bipartite view keeps row 1's lines and dims the others")
    check("hl" in driver.find_element(By.CSS_SELECTOR, '#output .token[data-t="1"]').get_attribute("class"), "the token list too")
    ActionChains(driver).move_to_element(driver.find_element(By.TAG_NAME, "h1")).perform()
    src_label = driver.find_element(By.CSS_SELECTOR, '#heatmap .label.src[data-s="0"]')
    ActionChains(driver).move_to_element(src_label).perform()
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, '#heatmap rect.cell.hl[data-s="0"]')) == T, "the hovered column")

    # 4. Click a node of depth 1 off the best path: its token is forced and decoding goes on from it.
    tree = want["tree"]["nodes"]
    pick = next(i for i, n in enumerate(tree) if n["depth"] == 1 and n["token"] not in ("</s>", hyp["tokens"][0]))
    shoot(driver.find_element(By.ID, "tree"), "beam-tree")
    # The tree: pruned subtrees closed by default behind a count, every node's label with its
    # total; no edge crosses a node's box (its circle, token, scores, count) other than the
    # two it joins. Checked closed and with everything open.
    check(len(driver.find_elements(By.CSS_SELECTOR, "#tree g.node")) < len(tree), "pruned subtrees are closed by default")
    check(driver.find_elements(By.CSS_SELECTOR, "#tree .more"), "a closed subtree shows its count")
    check(all("Σ" in t.text for t in driver.find_elements(By.CSS_SELECTOR, "#tree text.scores")), "every label has the total Σ")
    CROSSINGS = """
      const svg = document.querySelector('#tree svg');
      const boxes = new Map();
      svg.querySelectorAll('g.node').forEach((g) => {
        const b = g.getBBox(), m = g.transform.baseVal.consolidate().matrix;
        boxes.set(g.dataset.node, { x0: b.x + m.e, y0: b.y + m.f, x1: b.x + b.width + m.e, y1: b.y + b.height + m.f });
      });
      const out = [];
      svg.querySelectorAll('path.edge').forEach((p) => {
        const d = p.getAttribute('d').match(/M([-\d.]+),([-\d.]+) H([-\d.]+) V([-\d.]+) H([-\d.]+)/);
        if (!d) { out.push('unparsed ' + p.getAttribute('d')); return; }
        const [x0, y0, xt, y1, x1] = d.slice(1).map(Number);
        const segments = [[x0, y0, xt, y0], [xt, y0, xt, y1], [xt, y1, x1, y1]];
        for (const [id, b] of boxes) {
          if (id === p.dataset.from || id === p.dataset.to) continue;
          for (const [ax, ay, bx, by] of segments) {
            const lx = Math.min(ax, bx), hx = Math.max(ax, bx), ly = Math.min(ay, by), hy = Math.max(ay, by);
            if (hx > b.x0 && lx < b.x1 && hy > b.y0 && ly < b.y1) out.push(`edge ${p.dataset.from}->${p.dataset.to} crosses node ${id}`);
          }
        }
      });
      return [boxes.size, svg.querySelectorAll('path.edge').length, out];"""
    shown_nodes, edges, crossings = driver.execute_script(CROSSINGS)
    check(shown_nodes > 5 and edges == shown_nodes - 1 and not crossings, f"closed tree: {shown_nodes} nodes, {edges} edges, {crossings[:3]}")
    driver.find_element(By.ID, "show-pruned").click()
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#tree g.node")) == len(tree), "every node once opened")
    shown_nodes, edges, crossings = driver.execute_script(CROSSINGS)
    check(edges == len(tree) - 1 and not crossings, f"open tree ({len(tree)} nodes): {crossings[:3]}")
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                          driver.find_element(By.CSS_SELECTOR, f'#tree g.node[data-node="{pick}"]'))
    wait_for(lambda: "forced prefix" in driver.find_element(By.ID, "prefix-note").text, "the forced prefix")
    forced = api.ok("/api/translate", {"run": run["run"], "source": source, "beam": 5, "prefix": [tree[pick]["id"]]})
    wait_for(lambda: [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#output .token")] == forced["hypotheses"][0]["tokens"],
             "the forced continuation (the API's)")
    check(driver.find_elements(By.CSS_SELECTOR, "#output .token")[0].text == tree[pick]["token"], "the output starts with the node's token")

    # 6. Pin step 1 to source position 0: the changed continuation is the API's.
    driver.find_element(By.ID, "clear-prefix").click()
    wait_for(lambda: not driver.find_element(By.ID, "prefix-note").text, "the prefix cleared")
    for field, value in [("iv-step", "1"), ("iv-position", "0")]:
        e = driver.find_element(By.ID, field)
        e.clear()
        e.send_keys(value)
    driver.find_element(By.ID, "intervene").click()
    pinned = api.ok("/api/translate", {"run": run["run"], "source": source, "beam": 5,
                                       "intervention": {"kind": "pin", "step": 1, "position": 0}})
    changed = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, '#intervention [data-panel="changed"] .token') or None, "the changed panel")
    check([e.text for e in changed] == pinned["hypotheses"][0]["tokens"], "the changed continuation is the API's")
    row = driver.find_elements(By.CSS_SELECTOR, '#intervention [data-panel="changed"] rect.cell[data-t="1"]')
    check([float(c.get_attribute("data-w")) for c in row] == [1.0] + [0.0] * (S - 1), "the pinned row is one-hot")
    # The changed tokens are marked: exactly those outside the longest common subsequence
    # with the original (computed here independently).
    def outside_lcs(a, b):
        import functools
        @functools.lru_cache(None)
        def L(i, j):
            return 0 if i == len(a) or j == len(b) else (L(i + 1, j + 1) + 1 if a[i] == b[j] else max(L(i + 1, j), L(i, j + 1)))
        return L(0, 0)
    got = pinned["hypotheses"][0]["tokens"]
    marked = driver.find_elements(By.CSS_SELECTOR, '#intervention [data-panel="changed"] .token.changed')
    check(len(marked) == len(got) - outside_lcs(tuple(got), tuple(hyp["tokens"])), f"{len(marked)} tokens marked changed")
    check(not driver.find_elements(By.CSS_SELECTOR, '#intervention [data-panel="original"] .token.changed'), "the original has no change marks")
    check(driver.find_elements(By.CSS_SELECTOR, "#legend-intervention .key"), "the intervention has a legend")
    shoot(driver.find_element(By.ID, "intervention"), "intervention")

    # 5. Score a typed target.
    target = driver.find_element(By.ID, "target")
    target.clear()
    target.send_keys(" ".join(reversed(source.split())))
    driver.find_element(By.ID, "score").click()
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#scored rect.cell"), "the scored heatmap")
    check(len(driver.find_elements(By.CSS_SELECTOR, "#scored .tokens .token")) == S + 1, "every target token and </s> scored")

    # 7. Both runs side by side, then the difference view.
    driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="compare"]').click()
    driver.find_element(By.ID, "compare").click()
    panels = wait_for(lambda: [p for p in driver.find_elements(By.CSS_SELECTOR, "#compare-out .panel") if p.find_elements(By.CSS_SELECTOR, "svg.heatmap")]
                      if len(driver.find_elements(By.CSS_SELECTOR, "#compare-out .panel svg.heatmap")) == 2 else None, "two runs side by side")
    check(len(panels) == 2, "two panels")
    shoot(driver.find_element(By.ID, "compare-out"), "compare")
    driver.find_element(By.ID, "compare-diff").click()
    driver.find_element(By.ID, "compare").click()
    wait_for(lambda: " − " in driver.find_element(By.ID, "compare-out").text, "the difference view")

    # 8-9. Triage: the dev set's table sorts by BLEU; the length chart has bars.
    driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="triage"]').click()
    driver.find_element(By.ID, "triage").click()
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#triage-table tbody tr")) == 100, "100 triage rows")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#buckets rect.bar"), "the BLEU-by-length bars")
    bleu_column = [th.get_attribute("data-key") for th in driver.find_elements(By.CSS_SELECTOR, "#triage-table th")].index("bleu")

    def bleu_values():
        return [float(r.find_elements(By.TAG_NAME, "td")[bleu_column].text) for r in driver.find_elements(By.CSS_SELECTOR, "#triage-table tbody tr")]

    driver.find_element(By.CSS_SELECTOR, '#triage-table th[data-key="bleu"]').click()
    values = bleu_values()
    check(values == sorted(values), "sorted by BLEU, ascending")
    driver.find_element(By.CSS_SELECTOR, '#triage-table th[data-key="bleu"]').click()
    values = bleu_values()
    check(values == sorted(values, reverse=True), "then descending")
    shoot(driver.find_element(By.ID, "tab-triage"), "triage")
    # A prefix forced on the Translate tab (and an intervention made there) stays with its
    # sentence: opening a triage row decodes the row's sentence afresh.
    driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="translate"]').click()
    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                          driver.find_element(By.CSS_SELECTOR, f'#tree g.node[data-node="{pick}"]'))
    wait_for(lambda: "forced prefix" in driver.find_element(By.ID, "prefix-note").text and "prefix=" in driver.current_url,
             "a forced prefix before opening a row")
    driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="triage"]').click()
    first = driver.find_element(By.CSS_SELECTOR, "#triage-table tbody tr")
    opened = first.find_elements(By.TAG_NAME, "td")[-3].text
    first.click()
    wait_for(lambda: driver.find_element(By.ID, "source").get_attribute("value") == opened, "the row opened in Translate")
    row_run = int(driver.find_element(By.ID, "run").get_attribute("value"))
    fresh = api.ok("/api/translate", {"run": row_run, "source": opened, "beam": 5})["hypotheses"][0]["tokens"]
    wait_for(lambda: [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#output .token")] == fresh,
             "the row's sentence decoded without the old prefix (the API's translation)")
    check(not driver.find_element(By.ID, "prefix-note").text, "no forced prefix after opening a row")
    check("prefix=" not in driver.current_url, "the URL holds no prefix after opening a row")
    check(not driver.find_elements(By.CSS_SELECTOR, "#intervention .panel"), "no intervention of another sentence")

    # Triage filters: the count of matching rows, `and`, and a malformed condition refused
    # with a message (the table then unfiltered).
    driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="triage"]').click()
    rows_now = lambda: len(driver.find_elements(By.CSS_SELECTOR, "#triage-table tbody tr"))
    box = driver.find_element(By.ID, "triage-filter")
    triage = api.ok("/api/triage", {"run": int(driver.find_element(By.ID, "triage-run").get_attribute("value")), "set": "dev"})
    for text, keep in [("bleu<50", lambda r: r["bleu"] < 50), ("bleu>=50 and source_length>3", lambda r: r["bleu"] >= 50 and r["source_length"] > 3)]:
        box.clear()
        box.send_keys(text)
        want = sum(1 for r in triage["rows"] if keep(r))
        wait_for(lambda: rows_now() == want, f"{want} rows for {text}")
        check(driver.find_element(By.ID, "triage-count").text == f"{want} of 100 rows match", f"count for {text}: {driver.find_element(By.ID, 'triage-count').text}")
    for text in ["bleu<", "blue<20", "bleu<20 and aer>"]:
        box.clear()
        box.send_keys(text)
        wait_for(lambda: "error" in driver.find_element(By.ID, "triage-count").get_attribute("class"), f"an error for {text}")
        check(rows_now() == 100, f"a malformed filter ({text}) leaves the table whole")
    check("not a numeric column" in driver.find_element(By.ID, "triage-count").text or "not a condition" in driver.find_element(By.ID, "triage-count").text,
          "the message says what is wrong")
    box.clear()
    box.send_keys(" ")
    wait_for(lambda: rows_now() == 100, "the filter cleared")

    # At laptop widths (1280 and 1440 px) the side-by-side views share a row: the heatmap
    # and the bipartite view, the intervention's original and changed continuations, two
    # runs compared; nothing runs off the right edge of the page.
    driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="translate"]').click()
    driver.find_element(By.ID, "intervene").click()
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#intervention > .panel")) == 2, "the intervention again")
    for width, height in [(1280, 800), (1440, 900)]:
        driver.set_window_size(width, height)
        for tab, pairs in [("translate", ["#result > .views > figure"]), ("translate", ["#intervention > .panel"]),
                           ("compare", ["#compare-out > .panel"])]:
            driver.find_element(By.CSS_SELECTOR, f'nav button[data-tab="{tab}"]').click()
            boxes = driver.execute_script("return [...document.querySelectorAll(arguments[0])].map((e) => e.getBoundingClientRect().toJSON())", pairs[0])
            check(len(boxes) == 2, f"{pairs[0]}: two elements, got {len(boxes)}")
            check(abs(boxes[0]["top"] - boxes[1]["top"]) < 1 and boxes[1]["left"] >= boxes[0]["right"],
                  f"{width} px: {pairs[0]} side by side: {[(round(b['left']), round(b['top'])) for b in boxes]}")
            page = driver.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            check(page[0] <= page[1], f"{width} px: the {tab} page is {page[0]} px wide in a {page[1]} px window")
    driver.set_window_size(1300, 1000)
    driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="triage"]').click()

    # 11. The training view: the step slider shows the matrix the run recorded at that
    # validation (RUN/snapshots), the gold links outline the gold cells, the curves hold
    # metrics.jsonl's points and mark the slider's step; a curve's dot moves the slider.
    training = api.ok("/api/training", {"run": run["run"]})
    steps = training["steps"]
    check(len(steps) == 4 and len(training["sentences"]) == 8, f"4 snapshots of 8 sentences, got {steps}")
    driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="training"]').click()
    driver.find_element(By.ID, "training-run").send_keys(f"{run['name']} ({run['variant']})")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#training-heatmap rect.cell"), "the training heatmap")
    watched = json.load(open(os.path.join(run["dir"], "snapshots", "sentences.json")))["sentences"]
    k = 5
    driver.find_element(By.ID, "training-sentence").send_keys(driver.find_elements(By.CSS_SELECTOR, "#training-sentence option")[k].text)
    sentence = watched[k]

    def show_step(i):
        driver.execute_script("const s = document.getElementById('training-step'); s.value = arguments[0];"
                              "s.dispatchEvent(new Event('input'))", i)
        wait_for(lambda: driver.find_element(By.ID, "training-step-label").text.startswith(f"step {steps[i]} "), f"step {steps[i]} shown")
        return wait_for(lambda: driver.execute_script(
            "const m = document.querySelector('#training-curves svg.curve .marker'); return m && m.dataset.step == arguments[0]"
            " && [...document.querySelectorAll('#training-heatmap rect.cell')].map((r) => [+r.dataset.t, +r.dataset.s, +r.dataset.w])",
            steps[i]), f"the heatmap and marker of step {steps[i]}")

    for i in [0, 2, 3]:
        cells = show_step(i)
        recorded = json.load(open(os.path.join(run["dir"], "snapshots", f"step-{steps[i]:08d}.json")))["sentences"][k]
        matrix = recorded["reference_attention"]
        check(len(matrix) == len(sentence["reference"]) + 1, "a row per reference token and </s>")
        check(len(cells) == len(matrix) * len(sentence["source"]), f"step {steps[i]}: {len(cells)} cells")
        check(all(abs(w - matrix[t][s]) < 1e-7 for t, s, w in cells), f"step {steps[i]}: the cells hold the recorded weights")
    gold = driver.execute_script("return [...document.querySelectorAll('#training-heatmap rect.gold.sure')].map((g) => {"
                                 "const c = document.querySelector(`#training-heatmap rect.cell[data-t='${g.dataset.t}'][data-s='${g.dataset.s}']`);"
                                 "const a = g.getBoundingClientRect(), b = c.getBoundingClientRect();"
                                 "return [+g.dataset.s, +g.dataset.t, Math.abs((a.x + a.width / 2) - (b.x + b.width / 2)) < 1"
                                 " && Math.abs((a.y + a.height / 2) - (b.y + b.height / 2)) < 1]; })")
    check(sorted([s, t] for s, t, _ in gold) == sorted(sentence["gold"]["sure"]), "the gold marks are the sentence's gold links")
    check(all(on for _, _, on in gold), "each gold mark sits on its cell")
    metrics = [json.loads(line) for line in open(os.path.join(run["dir"], "metrics.jsonl"))]
    points = driver.execute_script("return Object.fromEntries([...document.querySelectorAll('#training-curves svg.curve')]"
                                   ".map((c) => [c.dataset.title, [...c.querySelectorAll('.point')].map((p) => +p.dataset.step)]))")
    check(points["dev BLEU"] == [m["step"] for m in metrics if m["type"] == "valid"], "dev BLEU: a point per validation")
    check(points["training loss (per token)"] == [m["step"] for m in metrics if m["type"] == "train"], "training loss: a point per log line")
    check(points["dev AER (references, forced)"] == steps, "AER: a point per validation")
    driver.execute_script("document.querySelector(`#training-curves svg.curve[data-title='dev BLEU'] .point[data-step='${arguments[0]}']`)"
                          ".dispatchEvent(new MouseEvent('click', {bubbles: true}))", steps[1])
    wait_for(lambda: driver.find_element(By.ID, "training-step-label").text.startswith(f"step {steps[1]} "), "a dot moved the slider")
    driver.find_element(By.ID, "training-view").send_keys("the greedy output")
    output = json.load(open(os.path.join(run["dir"], "snapshots", f"step-{steps[1]:08d}.json")))["sentences"][k]["output"]
    wait_for(lambda: driver.execute_script("return document.querySelector('#training-heatmap svg').dataset.rows") == str(len(output)),
             "the greedy output's rows")
    check(not driver.find_elements(By.CSS_SELECTOR, "#training-heatmap rect.gold"), "no gold marks on the output's rows")
    shoot(driver.find_element(By.ID, "tab-training"), "training")

    # 10. The URL reopens the view.
    driver.get(driver.current_url)
    driver.refresh()
    wait_for(lambda: driver.execute_script("return document.body.dataset.ready === '1'"), "the page to restart")
    check(driver.find_element(By.ID, "source").get_attribute("value") == opened, "the URL restored the sentence")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#heatmap rect.cell"), "the restored translation")

    # 12. Gold links on the other heatmaps: a dev sentence picked in Translate, its reference
    # scored (forced decoding: the rows are the reference's) outlines the set's gold links.
    driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="translate"]').click()
    driver.find_element(By.ID, "run").send_keys(f"{run['name']} ({run['variant']})")
    driver.find_element(By.ID, "pick-set").send_keys("dev")
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#pick-sentence option")) > 3, "the dev sentences")
    dev = api.ok("/api/sentences", {"run": run["run"], "set": "dev"})["sentences"]
    check(dev[3]["gold"] is not None and len(dev[3]["gold"]["sure"]) == len(dev[3]["reference"].split()), "the API gives dev gold links")
    driver.find_element(By.CSS_SELECTOR, '#pick-sentence option[value="3"]').click()
    wait_for(lambda: driver.find_element(By.ID, "source").get_attribute("value") == dev[3]["source"], "the picked sentence")
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#heatmap rect.cell"), "its translation")
    driver.find_element(By.ID, "score").click()
    marks = wait_for(lambda: driver.execute_script(
        "return [...document.querySelectorAll('#scored rect.gold.sure')].map((g) => [+g.dataset.s, +g.dataset.t])"), "gold marks on the scored reference")
    check(sorted(marks) == sorted(dev[3]["gold"]["sure"]), f"the scored reference's gold marks {sorted(marks)} are the set's")
    check("AER" in driver.find_element(By.CSS_SELECTOR, "#scored .gold-aer").text, "the sentence's AER is shown")

    # 13. Multi-head attention: the mean and each head as small multiples that are tabs; a
    # tab draws its head's recorded matrix large, in Translate, in a scored reference and in
    # the training view (where the chosen head stays chosen as the slider moves).
    def cells_of(container):
        return driver.execute_script(f"return [...document.querySelectorAll('{container} rect.cell')].map((r) => [+r.dataset.t, +r.dataset.s, +r.dataset.w])")

    def same(cells, matrix, what):
        check(len(cells) == len(matrix) * len(matrix[0]), f"{what}: {len(cells)} cells for {len(matrix)} x {len(matrix[0])}")
        check(all(w == matrix[t][s] for t, s, w in cells), f"{what}: the cells hold the recorded weights")

    driver.find_element(By.ID, "run").send_keys(f"{heads_run['name']} ({heads_run['variant']})")
    box = driver.find_element(By.ID, "source")
    box.clear()
    box.send_keys(source)
    driver.find_element(By.ID, "translate").click()
    want = api.ok("/api/translate", {"run": heads_run["run"], "source": source, "beam": 5})["hypotheses"][0]
    check(len(want["heads"]) == 4, "the API gives 4 heads")
    tabs = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "#heads .head-tab") if len(driver.find_elements(By.CSS_SELECTOR, "#heads .head-tab")) == 5 else None, "the head tabs")
    check([t.text for t in tabs] == ["mean of heads", "head 1", "head 2", "head 3", "head 4"], f"head tabs {[t.text for t in tabs]}")
    check(all(t.find_elements(By.CSS_SELECTOR, "svg.mini rect") for t in tabs), "every tab shows its small heatmap")
    wait_for(lambda: cells_of("#heatmap") if len(cells_of("#heatmap")) == len(want["attention"]) * len(want["attention"][0]) else None, "the multi-head heatmap")
    same(cells_of("#heatmap"), want["attention"], "the mean")
    for j in [2, 0]:
        driver.find_element(By.CSS_SELECTOR, f'#heads .head-tab[data-head="{j}"]').click()
        check(driver.find_element(By.CSS_SELECTOR, f'#heads .head-tab[data-head="{j}"]').get_attribute("aria-selected") == "true", f"head {j + 1} selected")
        same(cells_of("#heatmap"), want["heads"][j], f"head {j + 1}")
    check(want["heads"][0] != want["attention"], "a head is not the mean")
    ActionChains(driver).move_to_element(driver.find_element(By.CSS_SELECTOR, '#heatmap .label.out[data-t="1"]')).perform()
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, '#heatmap rect.cell.hl[data-t="1"]')) == len(want["attention"][0]), "hover on a redrawn head")
    shoot(driver.find_element(By.ID, "result"), "heads")
    driver.find_element(By.ID, "score").click()
    scored = api.ok("/api/score", {"run": heads_run["run"], "source": source, "target": driver.find_element(By.ID, "target").get_attribute("value")})
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#scored .head-tab")) == 5, "the scored reference's head tabs")
    driver.find_element(By.CSS_SELECTOR, '#scored .head-tab[data-head="3"]').click()
    same(cells_of("#scored"), scored["heads"][3], "the scored reference's head 4")
    driver.find_element(By.CSS_SELECTOR, 'nav button[data-tab="training"]').click()
    driver.find_element(By.ID, "training-run").send_keys(f"{heads_run['name']} ({heads_run['variant']})")
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, "#training-heads .head-tab")) == 5, "the training view's head tabs")
    driver.find_element(By.ID, "training-view").send_keys("the reference")
    steps = api.ok("/api/training", {"run": heads_run["run"]})["steps"]
    driver.find_element(By.CSS_SELECTOR, '#training-heads .head-tab[data-head="1"]').click()
    for i in [3, 0]:
        driver.execute_script("const s = document.getElementById('training-step'); s.value = arguments[0];"
                              "s.dispatchEvent(new Event('input'))", i)
        wait_for(lambda: driver.find_element(By.ID, "training-step-label").text.startswith(f"step {steps[i]} "), f"step {steps[i]} shown")
        recorded = json.load(open(os.path.join(heads_run["dir"], "snapshots", f"step-{steps[i]:08d}.json")))["sentences"]
        k = int(driver.find_element(By.ID, "training-sentence").get_attribute("value"))
        matrix = recorded[k]["reference_heads"][1]
        wait_for(lambda: len(cells_of("#training-heatmap")) == len(matrix) * len(matrix[0]), f"step {steps[i]}: head 2's heatmap")
        check(driver.find_element(By.CSS_SELECTOR, '#training-heads .head-tab[data-head="1"]').get_attribute("aria-selected") == "true", "head 2 stays chosen")
        check(all(abs(w - matrix[t][s]) < 1e-7 for t, s, w in cells_of("#training-heatmap")), f"step {steps[i]}: head 2's recorded weights")

    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    check(not errors, f"console errors: {errors[:3]}")
finally:
    driver.quit()
print(f"browser: {check.count} checks passed")
