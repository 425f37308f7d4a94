/** The report's stylesheet and script, inlined into the page (its Content-Security-Policy allows only inline). */
export const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:24px;color:#1f2937;background:#fff}
h1{font-size:22px;margin:0 0 4px}
.spec{color:#6b7280;margin:0 0 16px}
.summary{display:flex;gap:32px;align-items:flex-start;flex-wrap:wrap;margin-bottom:16px}
.tally{display:flex;gap:12px;margin:0}
.tally div{border:1px solid #e5e7eb;border-radius:6px;padding:8px 14px;min-width:80px}
.tally dt{color:#6b7280;font-size:12px}
.tally dd{margin:0;font-size:24px;font-weight:600}
.tally .pass dd{color:#15803d}.tally .fail dd{color:#b91c1c}.tally .unreadable dd{color:#92400e}
table{border-collapse:collapse}
caption{text-align:left;font-weight:600;padding-bottom:4px}
th,td{border-bottom:1px solid #e5e7eb;padding:6px 10px;text-align:left;vertical-align:top}
th{background:#f9fafb;white-space:nowrap}
th button{font:inherit;font-weight:600;border:0;background:none;cursor:pointer;padding:0;color:inherit}
th[aria-sort=ascending] button::after{content:" ▲"}
th[aria-sort=descending] button::after{content:" ▼"}
.num{text-align:right}
#failed-checks td{padding:3px 10px}
a{color:#1d4ed8}
code{font-size:12px;color:#6b7280}
.controls{display:flex;gap:20px;align-items:center;margin:8px 0;flex-wrap:wrap}
.legend{display:flex;gap:16px;flex-wrap:wrap;color:#4b5563;font-size:12px;margin:4px 0 12px}
.legend svg{vertical-align:middle;margin-right:4px}
#photos{width:100%}
#photos ul{margin:0;padding-left:18px}
.verdict{white-space:nowrap;font-weight:600}
.verdict.pass{color:#15803d}.verdict.fail{color:#b91c1c}.verdict.unreadable{color:#92400e}
.file .name{word-break:break-all}
.file small{color:#6b7280}
li.warn{color:#92400e}
.warn{color:#92400e}
.thumb svg{display:block;background:#f3f4f6}
.thumb .band{fill:#22c55e;fill-opacity:.75}
.thumb .face{fill:none;stroke:#ffb000;stroke-width:2;vector-effect:non-scaling-stroke}
.thumb line{stroke-width:2;vector-effect:non-scaling-stroke}
.thumb line.in{stroke:#16a34a}.thumb line.out{stroke:#ef4444}
.hide-bg .bg-region{display:none}
tr[hidden]{display:none}
`;

// Plain script, no modules, no fetches: it runs from file://.
export const SCRIPT = `
(function () {
  var tbody = document.querySelector('#photos tbody');
  var select = document.getElementById('filter');
  var shown = document.getElementById('shown');
  function applyFilter() {
    var value = select.value, n = 0;
    Array.prototype.forEach.call(tbody.rows, function (tr) {
      var show = value === '' ||
        (value.indexOf('verdict:') === 0 ? tr.dataset.verdictName === value.slice(8) : tr.dataset.failed.split(' ').indexOf(value) >= 0);
      tr.hidden = !show;
      if (show) n++;
    });
    shown.textContent = n;
  }
  select.addEventListener('change', applyFilter);
  document.querySelectorAll('[data-filter]').forEach(function (a) {
    a.addEventListener('click', function () { select.value = a.dataset.filter; applyFilter(); });
  });
  var collator = new Intl.Collator(document.documentElement.lang, { numeric: true });
  document.querySelectorAll('#photos th button').forEach(function (button) {
    button.addEventListener('click', function () {
      var th = button.parentNode, key = button.dataset.key, numeric = button.dataset.type === 'number';
      var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      document.querySelectorAll('#photos th[aria-sort]').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir);
      var sign = dir === 'ascending' ? 1 : -1;
      var rows = Array.prototype.slice.call(tbody.rows);
      rows.sort(function (a, b) {
        var x = a.dataset[key], y = b.dataset[key];
        var c = numeric ? Number(x) - Number(y) : collator.compare(x, y);
        return sign * c || Number(a.dataset.index) - Number(b.dataset.index);
      });
      rows.forEach(function (tr) { tbody.appendChild(tr); });
    });
  });
  var showBg = document.getElementById('show-bg');
  if (showBg) showBg.addEventListener('change', function () { document.body.classList.toggle('hide-bg', !showBg.checked); });
})();
`;
