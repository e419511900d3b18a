// Portico — small progressive enhancements. Everything works without this file.
(function () {
  'use strict';

  function setupMassActions(form) {
    // Checkboxes may live inside the form or be associated via the form="" attribute.
    var scope = form.closest('section, main') || document;
    var boxes = Array.prototype.slice.call(scope.querySelectorAll('input[type="checkbox"][name="ids"]'))
      .filter(function (b) { return b.form === form; });
    var selectAll = form.querySelector('input[data-select-all]') || scope.querySelector('input[data-select-all]');
    var counters = form.querySelectorAll('.selection-count');
    if (counters.length === 0) counters = scope.querySelectorAll('.selection-count');
    var gated = form.querySelectorAll('[data-needs-selection]');
    // "Apply to all N in this view": the actions then work on the whole view, ticked rows or not.
    var allInView = form.querySelector('input[data-all-in-view]');
    var relabelled = Array.prototype.slice.call(form.querySelectorAll('[data-all-label]'));
    relabelled.forEach(function (el) { el.dataset.label = el.textContent; });

    function update() {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      var all = !!(allInView && allInView.checked);
      var text = all ? 'All ' + allInView.dataset.total + ' in this view'
        : n === 0 ? 'No contacts selected' : n + ' selected';
      counters.forEach(function (el) { el.textContent = text; });
      gated.forEach(function (el) { el.disabled = !all && n === 0; });
      relabelled.forEach(function (el) { el.textContent = all ? el.dataset.allLabel : el.dataset.label; });
      if (selectAll) {
        selectAll.checked = boxes.length > 0 && n === boxes.length;
        selectAll.indeterminate = n > 0 && n < boxes.length;
      }
    }

    if (selectAll) {
      selectAll.addEventListener('change', function () {
        boxes.forEach(function (b) { b.checked = selectAll.checked; });
        update();
      });
    }
    boxes.forEach(function (b) { b.addEventListener('change', update); });
    if (allInView) allInView.addEventListener('change', update);
    // Browsers may restore checkbox state after load (back/forward navigation).
    window.addEventListener('pageshow', update);
    update();
  }

  function setupConfirm() {
    document.addEventListener('click', function (event) {
      var button = event.target.closest('button[data-confirm]');
      // A whole-view action asks on a page of its own before it starts.
      var all = button && button.form && button.form.querySelector('input[data-all-in-view]');
      if (all && all.checked) return;
      if (button && !window.confirm(button.dataset.confirm)) {
        event.preventDefault();
        event.stopPropagation();
      }
    }, true);
  }

  // The action bar's account field suggests existing accounts as the agent types.
  function setupAccountSuggestions(input) {
    var list = document.getElementById(input.getAttribute('list'));
    var asked = null;
    function suggest() {
      var term = input.value.trim();
      if (!list || term === asked) return;
      asked = term;
      fetch('/accounts/names?q=' + encodeURIComponent(term), { credentials: 'same-origin' })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (names) {
          if (term !== asked) return;
          list.replaceChildren.apply(list, names.map(function (name) {
            var option = document.createElement('option');
            option.value = name;
            return option;
          }));
        })
        .catch(function () {});
    }
    input.addEventListener('focus', suggest);
    input.addEventListener('input', suggest);
  }

  // Sign-in forms tell the server the browser's time zone, so times read as local ones.
  function fillTimeZone(input) {
    try {
      input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    } catch (error) {
      input.value = '';
    }
  }

  // A custom view's condition rows offer only the operators and suggestions that fit the
  // field picked, and the second date only for "between". Without script every one is offered
  // and the server says which do not fit.
  function setupConditionRow(row) {
    var field = row.querySelector('select[data-condition-field]');
    var operator = row.querySelector('select[data-condition-operator]');
    var value = row.querySelector('input[data-condition-value]');
    var until = row.querySelector('[data-condition-until]');
    function fit() {
      var picked = field.options[field.selectedIndex];
      var kind = picked ? picked.getAttribute('data-kind') : null;
      Array.prototype.forEach.call(operator.options, function (option) {
        var kinds = option.getAttribute('data-kinds');
        var fits = !kind || !kinds || kinds.split(' ').indexOf(kind) !== -1;
        option.hidden = !fits;
        option.disabled = !fits;
      });
      if (operator.selectedOptions[0] && operator.selectedOptions[0].disabled) operator.value = '';
      var list = picked ? picked.getAttribute('data-list') : '';
      if (list) value.setAttribute('list', list); else value.removeAttribute('list');
      var noValue = operator.value === 'is_empty' || operator.value === 'is_not_empty';
      value.hidden = noValue;
      until.hidden = operator.value !== 'between';
    }
    field.addEventListener('change', fit);
    operator.addEventListener('change', fit);
    fit();
  }

  function init() {
    document.querySelectorAll('tr[data-condition]').forEach(setupConditionRow);
    document.querySelectorAll('input[data-browser-time-zone]').forEach(fillTimeZone);
    document.querySelectorAll('form[data-mass-actions]').forEach(setupMassActions);
    document.querySelectorAll('input[data-account-suggestions]').forEach(setupAccountSuggestions);
    setupConfirm();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();

// A running bulk job's page follows its progress from a small JSON endpoint (without
// JavaScript the page refreshes itself), and reloads once the job has ended to show its lists.
document.querySelectorAll('[data-job-progress]').forEach(function (panel) {
  var summary = panel.querySelector('[data-job-summary]');
  var bar = panel.querySelector('progress');
  function poll() {
    fetch(panel.dataset.jobProgress, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { setTimeout(poll, 3000); return; }
        if (summary) summary.textContent = job.progress;
        if (bar) { bar.value = job.percent; bar.textContent = job.percent + '%'; }
        if (job.state !== panel.dataset.jobState) { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
});
