// Lighthouse over the portal's pages (scripts/lighthouse.sh): node run.mjs pages.json report.json
//
// pages.json: [{"label", "url", "cookie", "language"}]. One Chromium (Debian's, CHROME_PATH) serves every
// run; each page is audited for accessibility and best practices in a new tab, the browser's cookies
// being those of the page's session alone (a Cookie header in Lighthouse's extra headers loses to the
// cookies the previous pages set), in the language asked for. Prints each page's two scores and what failed, writes them all to report.json, and
// exits 1 unless every page scores 100 in both.
import fs from "node:fs";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import puppeteer from "puppeteer-core";

const [pagesPath, reportPath] = process.argv.slice(2);
const pages = JSON.parse(fs.readFileSync(pagesPath, "utf8"));
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  // As MACHINE-NOTES says: no background networking, nothing fetched from outside.
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
const results = [];
let failed = 0;
try {
  for (const page of pages) {
    const tab = await browser.newPage();
    const cdp = await tab.createCDPSession();
    await cdp.send("Network.clearBrowserCookies");
    const cookies = (page.cookie || "").split("; ").filter(Boolean).map((pair) => {
      const at = pair.indexOf("=");
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: page.url };
    });
    if (cookies.length) await cdp.send("Network.setCookies", { cookies });
    const { lhr } = await lighthouse(page.url, {
      output: "json", logLevel: "error",
      onlyCategories: ["accessibility", "best-practices"], extraHeaders: { "Accept-Language": page.language },
      formFactor: "mobile", screenEmulation: { mobile: true, width: 360, height: 640, deviceScaleFactor: 2, disabled: false },
    }, undefined, tab);
    await tab.close();
    const scores = Object.fromEntries(Object.entries(lhr.categories).map(([id, c]) => [id, Math.round(c.score * 100)]));
    const failures = Object.values(lhr.audits)
      .filter((a) => a.scoreDisplayMode !== "notApplicable" && a.scoreDisplayMode !== "informative"
                     && a.scoreDisplayMode !== "manual" && a.score !== null && a.score < 1)
      .map((a) => `${a.id}: ${a.title}`);
    const landed = lhr.finalDisplayedUrl;
    const ok = Object.values(scores).every((s) => s === 100) && landed === page.url;
    if (!ok) failed += 1;
    results.push({ ...page, cookie: undefined, scores, failures, landed });
    console.log(`${ok ? "ok  " : "FAIL"} ${String(scores.accessibility).padStart(3)} ${String(scores["best-practices"]).padStart(3)}  ${page.language}  ${page.label}`);
    if (landed !== page.url) console.log(`       landed on ${landed} instead of ${page.url}`);
    for (const failure of failures) console.log(`       ${failure}`);
  }
} finally {
  await browser.disconnect();
  await chrome.kill();
}
fs.writeFileSync(reportPath, JSON.stringify(results, null, 1));
console.log(`${pages.length - failed} of ${pages.length} pages at 100 in accessibility and best practices.`);
process.exit(failed ? 1 : 0);
