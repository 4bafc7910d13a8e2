"""What the workspaces' browser tests share with the storefront's: a page that collects CSP
violations and script errors, the axe-core scan, and screenshots under docs/screenshots/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js").read_text()


def page_opener(browser, contexts: list):
    """open_page(language, width): a new page of a new browser context speaking `language`;
    console errors (but for the statuses in `page.expected_statuses`) land in page.problems."""

    def open_page(language: str = "en", width: int = 1280):
        context = browser.new_context(
            locale=language,
            viewport={"width": width, "height": 900},
            device_scale_factor=1,
            accept_downloads=True,
        )
        contexts.append(context)
        page = context.new_page()
        page.problems, page.expected_statuses = [], set()

        def on_console(message):
            expected = any(f"status of {s} " in message.text for s in page.expected_statuses)
            if message.type == "error" and not expected:
                page.problems.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        return page

    return open_page


def close_all(contexts: list) -> None:
    problems = [p for c in contexts for page in c.pages for p in page.problems]
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


def switch_language(page, locale: str) -> None:
    """Choose `locale` (zh_Hans, zh_Hant, en) in the page's language switch, as a person does."""
    page.locator("#language-choice").select_option(locale)
    page.locator("form.language button").click()
    page.wait_for_selector(f"html[lang='{locale.replace('_', '-')}']")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret would inject a <style>, which the CSP refuses
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True, caret="initial")


def assert_accessible(page) -> None:
    """axe-core's WCAG 2.2 A/AA and best-practice rules: no serious or critical violation."""
    # A page whose markup is in but whose stylesheet is not yet applied has unstyled, small
    # targets: axe must see the page a person sees (CI once caught it between the two).
    page.wait_for_load_state("load")
    page.evaluate(AXE)
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa', "
        "'best-practice']})"
    )
    assert result["passes"], page.url  # axe ran and checked something
    serious = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, (page.url, serious)
