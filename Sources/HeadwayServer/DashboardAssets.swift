/// The dashboard's static files, served by the server itself (nothing comes from elsewhere):
/// the stylesheet, the script and the icon.
struct DashboardAssets: Sendable {
    let path: String
    let contentType: String
    let text: String

    static let all = [stylesheet, script, icon]

    static let icon = DashboardAssets(
        path: "/assets/icon.svg", contentType: "image/svg+xml",
        text: ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0969da"/><polyline points="2,13 6,9 9,11 14,3" fill="none" stroke="#fff" stroke-width="2"/></svg>"##)

    /// Phone (below 40 and 60 rem), desktop, wall screen (from 1600 px: larger type, two
    /// columns) and print. Text is at least 11 CSS pixels everywhere; colours meet WCAG AA.
    static let stylesheet = DashboardAssets(
        path: "/assets/dashboard.css", contentType: "text/css; charset=utf-8",
        text: """
            :root { --text: #1b1f24; --muted: #57606a; --line: #d0d7de; --link: #0969da; --soft: #f6f8fa; }
            * { box-sizing: border-box; }
            html { font-size: 15px; }
            body { font: 1rem/1.45 system-ui, sans-serif; margin: 0; color: var(--text); background: #fff; overflow-wrap: break-word; }
            header.site, main, footer.site { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
            header.site { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline; gap: 0 1rem; border-bottom: 1px solid var(--line); }
            header.site nav { padding: 0.6rem 0; }
            .home { font-weight: 700; font-size: 1.1rem; text-decoration: none; }
            .live { margin: 0; color: var(--muted); font-size: 0.9rem; }
            footer.site { color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--line); margin-top: 2rem; }
            a { color: var(--link); }
            :focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
            .visually-hidden, .skip:not(:focus) { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
            .skip:focus { position: absolute; top: 0.4rem; left: 0.4rem; background: #fff; padding: 0.3rem 0.6rem; }
            h1 { font-size: 1.6rem; margin: 1rem 0 0.5rem; overflow-wrap: anywhere; }
            h2 { font-size: 1.2rem; margin: 1.6rem 0 0.5rem; }
            .lede, .note, .shown { color: var(--muted); }
            .problem { font-weight: 600; }
            table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
            caption { text-align: left; color: var(--muted); padding: 0.2rem 0; }
            th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
            th { white-space: nowrap; }
            td.n { text-align: right; } td.d { white-space: nowrap; }
            td.what, td.note-cell, dd, th[scope=row] { overflow-wrap: anywhere; } th[scope=row] { white-space: normal; }
            .key { display: block; color: var(--muted); font-size: 0.8rem; overflow-wrap: anywhere; }
            .stale { font-size: 0.8rem; border: 1px solid var(--muted); color: var(--muted); border-radius: 3px; padding: 0 0.3rem; }
            .status { font-weight: 600; white-space: nowrap; }
            .achieved, .on_track { color: #1a7f37; } .achieved_late, .at_risk { color: #9a6700; }
            .missed, .off_track { color: #cf222e; } .not_started, .insufficient_data, .unassessed { color: #57606a; }
            .awaiting_data { color: #57606a; font-style: italic; }
            .was { color: var(--muted); }
            tr.superseded td { color: var(--muted); }
            svg.bar { display: block; width: 100%; height: 0.9rem; margin: 0.25rem 0; }
            .s-achieved { fill: #1a7f37; } .s-achieved_late { fill: #4ac26b; } .s-on_track { fill: #2da44e; } .s-at_risk { fill: #bf8700; }
            .s-off_track { fill: #cf222e; } .s-missed { fill: #82071e; } .s-awaiting_data { fill: #8c959f; } .s-not_started { fill: #d0d7de; }
            .s-insufficient_data { fill: #afb8c1; } .s-unassessed { fill: #eaeef2; }
            ul.tally { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.1rem 1rem; }
            ul.tally a { text-decoration: none; } ul.tally .n { color: var(--text); }
            svg.spark { width: 5rem; height: 1.2rem; } svg.spark polyline { fill: none; stroke: var(--link); stroke-width: 1.5; }
            form.filters { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: end; background: var(--soft); padding: 0.8rem; border-radius: 6px; margin: 1rem 0; }
            .field { display: flex; flex-direction: column; min-width: 10rem; flex: 1 1 10rem; }
            label, legend { font-size: 0.9rem; }
            input, select, button { font: inherit; font-size: 0.95rem; padding: 0.25rem 0.4rem; max-width: 100%; }
            fieldset.statuses { border: 1px solid var(--line); flex: 1 1 100%; margin: 0; }
            .check { display: inline-block; margin-right: 1rem; white-space: nowrap; }
            form.as-of { background: var(--soft); padding: 0.6rem 0.8rem; border-radius: 6px; }
            form.as-of p { margin: 0 0 0.4rem; }
            nav.pages { display: flex; flex-wrap: wrap; gap: 1rem; justify-content: center; margin: 1rem 0; }
            .legend { font-size: 0.8rem; color: var(--muted); margin: 0.2rem 0 0.6rem; }
            .legend span { margin-right: 1rem; display: inline-block; }
            .l-figure { color: #0969da; } .l-target { color: #8250df; }
            figure { margin: 0; }
            .chart svg { width: 100%; height: auto; max-height: 24rem; }
            svg.narrow { display: none; }
            dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; font-size: 0.9rem; }
            dt { color: var(--muted); } dd { margin: 0; }
            ol.timeline { padding-left: 1.4rem; } ol.timeline li { margin: 0.2rem 0; }
            details summary { cursor: pointer; color: var(--link); margin: 0.4rem 0; }
            .share textarea { width: 100%; font: 0.85rem/1.4 ui-monospace, monospace; padding: 0.3rem; }
            .share .field { margin: 0.6rem 0; }
            body.embed main { max-width: none; padding: 0.25rem 0.75rem; }
            body.embed h1 { font-size: 1.2rem; margin: 0.3rem 0; }
            body.embed .verdict p { margin: 0.2rem 0; }
            .credit { font-size: 0.85rem; color: var(--muted); margin: 0.2rem 0; }
            @media (max-width: 40rem) {
              table.counts, table.counts tbody, table.counts tr { display: block; }
              table.counts thead { display: none; }
              table.counts tr { border-bottom: 1px solid var(--line); padding: 0.3rem 0; }
              table.counts th, table.counts td { display: inline; border: 0; padding: 0 0.5rem 0 0; }
              table.counts td:last-child { display: block; }
              ul.tally .status { white-space: normal; }
              svg.wide { display: none; } svg.narrow { display: block; }
              dl { grid-template-columns: 1fr; gap: 0; } dd { margin-bottom: 0.3rem; }
            }
            @media (max-width: 60rem) {
              table.list, table.list tbody, table.list tr, table.figures, table.figures tbody, table.figures tr { display: block; }
              table.figures thead, table.list th.plain { display: none; }
              table.list thead { display: block; }
              table.list thead tr { display: flex; flex-wrap: wrap; gap: 0 1rem; border-bottom: 1px solid var(--line); padding: 0.2rem 0; }
              table.list thead tr::before { content: "Sort by:"; color: var(--muted); }
              table.list thead th { border: 0; padding: 0; }
              table.list tr, table.figures tr { border-bottom: 1px solid var(--line); padding: 0.4rem 0; }
              table.list td, table.figures td { display: inline-block; border: 0; padding: 0.1rem 1.2rem 0.1rem 0; text-align: left; white-space: normal; }
              table.list td.what, table.figures td.note-cell { display: block; }
              td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-weight: normal; font-style: normal; }
            }
            @media (min-width: 1600px) {
              html { font-size: 18px; }
              header.site, main, footer.site { max-width: 100rem; }
              .story { display: grid; grid-template-columns: 3fr 2fr; gap: 2rem; align-items: start; }
            }
            @media print {
              header.site nav, .live, .skip, form.filters, form.as-of label, form.as-of input, form.as-of button, nav.pages, details { display: none; }
              header.site, main, footer.site { max-width: none; }
              a { color: inherit; text-decoration: none; }
              svg.narrow { display: none; } svg.wide { display: block; }
              section, tr { break-inside: avoid; }
            }
            """)

    /// Live updates and in-place sorting, filtering and paging: the pages work without it. When
    /// an event from `/api/v1/events` names what the open page shows (any commitment, on the
    /// overview), the page is fetched again and its `main` swapped, with an "Updated HH:MM"
    /// note; links and forms marked `data-swap` fetch and swap instead of loading a new page.
    static let script = DashboardAssets(
        path: "/assets/dashboard.js", contentType: "text/javascript; charset=utf-8",
        text: #"""
            'use strict';
            (function () {
              const live = document.getElementById('live');

              // The last event the live stream told of: a page fetched again must show it, so the
              // server answers from a state that has it (a standby that has replayed it).
              let seenEvent = '';

              // Fetches `url` and puts its <main> in place of this page's; focus stays where it was.
              async function swap(url) {
                const headers = { Accept: 'text/html' };
                if (seenEvent) headers['Headway-Min-Event-Id'] = seenEvent;
                const response = await fetch(url, { headers: headers, cache: 'no-store' });
                const page = new DOMParser().parseFromString(await response.text(), 'text/html');
                const fresh = page.querySelector('main');
                if (!fresh) throw new Error('no main in ' + url);
                const old = document.querySelector('main');
                const focused = old.contains(document.activeElement) ? document.activeElement.id : '';
                old.replaceWith(document.adoptNode(fresh));
                document.title = page.title;
                const again = focused && document.getElementById(focused);
                if (again) again.focus();
                return response.ok;
              }

              function stamp() {
                const now = new Date(), two = n => String(n).padStart(2, '0');
                live.textContent = 'Updated ' + two(now.getHours()) + ':' + two(now.getMinutes());
              }

              // Events come in bursts: one fetch at a time, and one more if any came meanwhile.
              let loading = false, pending = false;
              function refresh() {
                if (loading) { pending = true; return; }
                loading = true;
                swap(location.href).then(ok => { if (ok) stamp(); }, () => {}).finally(() => {
                  loading = false;
                  if (pending) { pending = false; refresh(); }
                });
              }

              // Whether an event's data concerns the open page: its commitment or its metric, or
              // anything on a page that names neither (the overview).
              function concerns(data) {
                const page = document.querySelector('main').dataset;
                if (page.commitment === undefined && page.metric === undefined) return true;
                const commitments = data.commitments || [], metrics = data.metrics || [];
                return commitments.includes(page.commitment) || metrics.includes(page.metric);
              }

              const stream = document.body.dataset.events;
              if (live && stream && 'EventSource' in window) {
                const events = new EventSource(stream);
                for (const type of ['assessment', 'status', 'observations', 'definitions']) {
                  events.addEventListener(type, event => {
                    let data;
                    try { data = JSON.parse(event.data); } catch (error) { return; }
                    if (/^[0-9]+$/.test(event.lastEventId)) seenEvent = event.lastEventId;
                    if (concerns(data)) refresh();
                  });
                }
              }

              function navigate(url) {
                swap(url).then(() => history.pushState(null, '', url), () => { location.href = url; });
              }
              document.addEventListener('click', event => {
                const link = event.target.closest('a[data-swap]');
                if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
                event.preventDefault();
                navigate(link.href);
              });
              document.addEventListener('submit', event => {
                const form = event.target;
                if (!form.matches('form[data-swap]')) return;
                event.preventDefault();
                const url = new URL(form.action, location.href);
                url.search = new URLSearchParams(new FormData(form)).toString();
                navigate(url.href);
              });
              addEventListener('popstate', () => { swap(location.href).catch(() => location.reload()); });
            })();
            """#)
}
