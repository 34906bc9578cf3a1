// The report's only script (inline, no network): sort a table by the clicked header (numbers by value,
// text alphabetically, empty cells last; a second click reverses), and enlarge a thumbnail on click.
export const REPORT_SCRIPT = `
(function () {
  function key(td) {
    var s = td.getAttribute('data-sort');
    if (s === null) return { n: false, v: td.textContent.trim().toLowerCase() };
    if (s === '') return { n: true, v: null };
    return { n: true, v: parseFloat(s) };
  }
  function sortBy(th) {
    var table = th.closest('table'), tbody = table.tBodies[0], col = +th.getAttribute('data-col');
    var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    table.querySelectorAll('th').forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
    th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(tbody.rows).map(function (r, i) { return { r: r, k: key(r.cells[col]), i: i }; });
    rows.sort(function (a, b) {
      if (a.k.v === null || b.k.v === null) return (a.k.v === null) - (b.k.v === null) || a.i - b.i;
      var c = a.k.n && b.k.n ? a.k.v - b.k.v : String(a.k.v).localeCompare(String(b.k.v));
      return c * dir || a.i - b.i;
    });
    rows.forEach(function (x) { tbody.appendChild(x.r); });
  }
  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.addEventListener('click', function () { sortBy(th); });
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sortBy(th); });
  });
  document.querySelectorAll('img.thumb').forEach(function (img) {
    img.addEventListener('click', function () { img.classList.toggle('zoomed'); });
  });
})();
`;
