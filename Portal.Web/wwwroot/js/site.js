// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';

  // Quick exit: leave for the neutral site and replace this page in the history, so the back
  // button does not return here. Escape pressed twice does the same.
  function quickExit(event) {
    var link = document.querySelector('[data-quick-exit]');
    if (!link) { return; }
    if (event) { event.preventDefault(); }
    document.body.hidden = true;
    window.location.replace(link.href);
  }

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target.closest('[data-quick-exit]') : null;
    if (target) { quickExit(event); }
  });

  var lastEscape = 0;
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') { return; }
    var now = Date.now();
    if (now - lastEscape < 800) { quickExit(null); }
    lastEscape = now;
  });

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-print]').forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () { window.print(); });
    });

    var summary = document.querySelector('[data-error-summary]');
    if (summary) { summary.focus(); }
  });
}());
