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

    function update() {
      var n = boxes.filter(function (b) { return b.checked; }).length;
      var text = n === 0 ? 'No contacts selected' : n + ' selected';
      counters.forEach(function (el) { el.textContent = text; });
      gated.forEach(function (el) { el.disabled = n === 0; });
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
    // Browsers may restore checkbox state after load (back/forward navigation).
    window.addEventListener('pageshow', update);
    update();
  }

  function setupConfirm() {
    document.addEventListener('click', function (event) {
      var button = event.target.closest('button[data-confirm]');
      if (button && !window.confirm(button.dataset.confirm)) {
        event.preventDefault();
        event.stopPropagation();
      }
    }, true);
  }

  function init() {
    document.querySelectorAll('form[data-mass-actions]').forEach(setupMassActions);
    setupConfirm();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();

// Bulk jobs: a running job's page submits its Continue form by itself, one chunk per request.
document.querySelectorAll('form[data-auto-submit]').forEach(function (form) {
  setTimeout(function () {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }, 150);
});
