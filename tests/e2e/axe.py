"""axe-core in Chromium: every page and state checked against WCAG 2.x A/AA (and axe's best
practices), with zero violations allowed.

axe is added to each document by an init script (a DevTools call, which the pages'
Content-Security-Policy does not govern), so the app serves no test code.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


def with_axe(context: BrowserContext) -> BrowserContext:
    context.add_init_script(path=str(AXE))
    return context


def violations(page: Page) -> list[dict]:
    page.wait_for_load_state("load")
    return page.evaluate(RUN)


def assert_no_violations(page: Page, state: str) -> None:
    found = violations(page)
    assert not found, f"{state} ({page.url}): " + "\n".join(
        f"{v['id']} [{v['impact']}] {v['help']}: {v['nodes']}" for v in found
    )
