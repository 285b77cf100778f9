// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';

  // Quick exit: the link goes to /leave, which ends the session on the server, clears the site's
  // cookies and sends the visitor on to a neutral site. Here it replaces this page in the history
  // instead of adding to it, so the back button does not return. Escape pressed twice does the same.
  function quickExit(event) {
    var link = document.querySelector('[data-quick-exit]');
    if (!link) { return; }
    if (event) { event.preventDefault(); }
    document.body.hidden = true;
    document.title = '';
    window.location.replace(link.href);
  }

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target.closest('[data-quick-exit]') : null;
    if (target) { quickExit(event); return; }

    // A link in the error summary: focus the field and bring its question (legend or label) into view.
    var link = event.target instanceof Element ? event.target.closest('.error-summary a[href^="#"]') : null;
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute('href').slice(1));
    if (!field) { return; }
    // A group named on its fieldset: its chosen answer, or else its first choice.
    if (field.tagName === 'FIELDSET') { field = field.querySelector('input:checked') || field.querySelector('input, select, textarea') || field; }
    event.preventDefault();
    var group = field.closest('fieldset');
    var question = (group && group.querySelector('legend')) || document.querySelector('label[for="' + field.id + '"]') || field;
    question.scrollIntoView({ block: 'start' });
    field.focus({ preventScroll: true });
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

    // The receipt of a report just sent is the answer to a form post; its address becomes the
    // page that shows it again, so a reload or the back button does not post the form again.
    var receipt = document.querySelector('[data-receipt-url]');
    if (receipt && window.history && window.history.replaceState) {
      window.history.replaceState(null, '', receipt.getAttribute('data-receipt-url'));
    }

    var summary = document.querySelector('[data-error-summary]');
    if (summary) { summary.focus(); }
  });
}());
