// @ts-check
/**
 * The agency console: an officer posts alerts, reads the inbox live, acknowledges, forwards, follows its own alerts
 * and sees match notices. Everything goes through the agency API with the key the officer signs in with; every
 * value is written with textContent, never as HTML. Served inline under a hashed Content-Security-Policy (see
 * libs/platform/src/web-page.ts), so this file must not contain a closing script tag.
 */
(function () {
  'use strict';
  var KEY_STORAGE = 'hub.agencyKey';
  var MAX_INBOX = 500;
  var MAX_RETRY_MS = 15000;
  var SENDER_REFRESH_MS = 4000;
  /** Forwarding is refused for these (contract: no onward dissemination without the originator). */
  var NO_FORWARD_TLP = { RED: true, 'AMBER+STRICT': true };
  var NO_FORWARD_HANDLING = { H2: true };

  /** Fields of each subject type, in form order: [field, label, input type]. */
  var SUBJECT_FIELDS = {
    container: [['number', 'Container number (ISO 6346)', 'text']],
    vehicle: [
      ['plate', 'Plate', 'text'],
      ['registrationCountry', 'Registration country', 'text'],
      ['vin', 'VIN', 'text'],
    ],
    person: [
      ['fullName', 'Full name', 'text'],
      ['dateOfBirth', 'Date of birth', 'date'],
      ['nationality', 'Nationality', 'text'],
      ['documentNumber', 'Document number', 'text'],
      ['documentCountry', 'Document country', 'text'],
    ],
    consignment: [
      ['substance', 'Substance', 'text'],
      ['quantityKg', 'Quantity (kg)', 'number'],
      ['concealment', 'Concealment', 'text'],
    ],
    vessel: [['imo', 'IMO number', 'text']],
    phone: [['number', 'Phone number', 'text']],
  };

  var state = {
    key: null,
    self: null,
    directory: null,
    lastEventId: null,
    controller: null,
    retryMs: 2000,
    retryTimer: null,
    inbox: [],
    seenDeliveries: {},
    acked: {},
    sent: [],
    selected: null,
    senderTimer: null,
    formMode: 'new',
    formAlertId: null,
    formBaseVersion: null,
    idempotencyKey: null,
  };

  /** @param {string} id @returns {any} */
  function byId(id) {
    return document.getElementById(id);
  }

  /** @param {string} tag @param {string} [className] @param {unknown} [text] @returns {any} */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function shortId(id) {
    return id ? String(id).slice(0, 8) : '';
  }

  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    return d.toLocaleString([], {
      month: 'short',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    });
  }

  function tlpBadge(tlp) {
    return el('span', 'tlp tlp-' + String(tlp || 'unknown').replace('+', '-'), 'TLP:' + (tlp || '?'));
  }

  function setStatus(kind, text) {
    var status = byId('status');
    status.className = kind;
    status.textContent = text;
  }

  function newIdempotencyKey() {
    return window.crypto && crypto.randomUUID
      ? crypto.randomUUID()
      : String(Date.now()) + '-' + String(Math.random()).slice(2);
  }

  // ---- API ------------------------------------------------------------------------------------------------------

  /** @returns {Promise<{status: number, body: any}>} */
  function api(method, path, body, extraHeaders) {
    var headers = { Authorization: 'Bearer ' + state.key };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    Object.keys(extraHeaders || {}).forEach(function (name) {
      headers[name] = extraHeaders[name];
    });
    return fetch(path, {
      method: method,
      headers: headers,
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      if (response.status === 401) {
        signOut('Your key is no longer accepted. Sign in again.');
        throw new Error('signed out');
      }
      return response.text().then(function (text) {
        var parsed = null;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          parsed = { message: text };
        }
        return { status: response.status, body: parsed };
      });
    });
  }

  // ---- sign in / out --------------------------------------------------------------------------------------------

  function showSignIn(message) {
    byId('signin').hidden = false;
    byId('console').hidden = true;
    byId('signout').hidden = true;
    byId('agency-name').textContent = '';
    byId('signin-error').textContent = message || '';
    setStatus('', 'signed out');
    byId('signin-key').focus();
  }

  function signIn(key) {
    state.key = key;
    byId('signin-error').textContent = '';
    api('GET', '/v1/agencies')
      .then(function (answer) {
        if (answer.status === 403) throw new Error('This key is not an agency key.');
        if (answer.status !== 200) throw new Error('The gateway answered HTTP ' + answer.status + '.');
        sessionStorage.setItem(KEY_STORAGE, key);
        state.directory = answer.body;
        state.self = answer.body.self;
        byId('agency-name').textContent = state.self.id + ' \u2014 ' + state.self.name;
        byId('signin').hidden = true;
        byId('console').hidden = false;
        byId('signout').hidden = false;
        fillChoices();
        connect();
        refreshSent();
      })
      .catch(function (error) {
        if (error.message === 'signed out') return;
        state.key = null;
        showSignIn(error.message);
      });
  }

  function signOut(message) {
    sessionStorage.removeItem(KEY_STORAGE);
    state.key = null;
    if (state.controller) state.controller.abort();
    state.controller = null;
    clearTimeout(state.retryTimer);
    clearInterval(state.senderTimer);
    state.inbox = [];
    state.seenDeliveries = {};
    state.lastEventId = null;
    state.sent = [];
    state.selected = null;
    byId('inbox-list').textContent = '';
    byId('sent-list').textContent = '';
    showPane('placeholder');
    showSignIn(message);
  }

  // ---- inbox: fetch() streaming, because EventSource cannot send an Authorization header ------------------------

  function connect() {
    if (!state.key) return;
    setStatus('reconnecting', 'connecting\u2026');
    var controller = new AbortController();
    state.controller = controller;
    var headers = { Authorization: 'Bearer ' + state.key, Accept: 'text/event-stream' };
    if (state.lastEventId) headers['Last-Event-ID'] = state.lastEventId;
    fetch('/v1/inbox/stream', { headers: headers, cache: 'no-store', signal: controller.signal })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          signOut('Your key is no longer accepted. Sign in again.');
          return;
        }
        if (!response.ok || !response.body) throw new Error('inbox: HTTP ' + response.status);
        setStatus('live', 'live');
        state.retryMs = 2000;
        return readFrames(response.body.getReader(), controller);
      })
      .then(function () {
        if (state.controller === controller && state.key) scheduleReconnect(new Error('stream ended'));
      })
      .catch(function (error) {
        if (state.controller === controller && state.key && !controller.signal.aborted) scheduleReconnect(error);
      });
  }

  function scheduleReconnect(error) {
    setStatus('reconnecting', 'reconnecting\u2026');
    if (window.console) console.warn('inbox disconnected:', error && error.message);
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(connect, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, MAX_RETRY_MS);
  }

  function readFrames(reader, controller) {
    var decoder = new TextDecoder();
    var buffer = '';
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done || controller.signal.aborted) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        var boundary = buffer.search(/\r?\n\r?\n/);
        while (boundary >= 0) {
          var frame = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, '');
          handleFrame(frame);
          boundary = buffer.search(/\r?\n\r?\n/);
        }
        return pump();
      });
    }
    return pump();
  }

  function handleFrame(frame) {
    var id = null,
      event = 'message',
      data = [];
    frame.split(/\r?\n/).forEach(function (line) {
      if (!line || line.charAt(0) === ':') return;
      var colon = line.indexOf(':');
      var field = colon < 0 ? line : line.slice(0, colon);
      var value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) state.retryMs = Math.max(1000, Number(value));
    });
    if (event === 'delivery' && data.length > 0) {
      if (id) state.lastEventId = id;
      addInboxItem(JSON.parse(data.join('\n')));
    }
  }

  function addInboxItem(item) {
    if (state.seenDeliveries[item.deliveryId]) return;
    state.seenDeliveries[item.deliveryId] = true;
    item.fresh = true;
    state.inbox.unshift(item);
    if (state.inbox.length > MAX_INBOX) state.inbox.length = MAX_INBOX;
    renderInbox();
    // An open alert that just changed (update, cancel) is shown again with its new version.
    if (
      state.selected &&
      state.selected.as === 'recipient' &&
      state.selected.alertId === item.alertId &&
      item.kind !== 'match'
    )
      openReceived(item.alertId, false);
  }

  function itemTitle(item) {
    if (item.kind === 'match') return 'Match: ' + (item.match ? item.match.text : '');
    if (item.erased) return 'Erased: the content of this alert was removed';
    if (item.kind === 'cancel') return 'Cancelled' + (item.cancelReason ? ': ' + item.cancelReason : '');
    return item.alert ? item.alert.headline : '';
  }

  function renderInbox() {
    var list = byId('inbox-list');
    var showAlerts = byId('show-alerts').checked;
    var showMatches = byId('show-matches').checked;
    list.textContent = '';
    var shown = 0;
    state.inbox.forEach(function (item) {
      if (item.kind === 'match' ? !showMatches : !showAlerts) return;
      var li = el('li', item.fresh ? 'fresh' : '');
      item.fresh = false;
      var button = el('button');
      button.type = 'button';
      button.setAttribute('data-delivery-id', item.deliveryId);
      button.setAttribute('data-alert-id', item.alertId);
      button.setAttribute('data-kind', item.kind);
      if (state.selected && state.selected.deliveryId === item.deliveryId) button.setAttribute('aria-current', 'true');
      var line1 = el('div', 'line1');
      line1.appendChild(el('span', 'kind kind-' + item.kind, item.kind));
      if (item.erased) line1.appendChild(el('span', 'kind state-erased', 'erased'));
      if (item.alert) line1.appendChild(tlpBadge(item.alert.tlp));
      line1.appendChild(el('span', 'headline', itemTitle(item)));
      var line2 = el('div', 'line2');
      line2.appendChild(
        el('span', '', item.kind === 'match' ? 'your alert ' + shortId(item.alertId) : 'from ' + item.sender),
      );
      line2.appendChild(el('span', '', 'v' + item.version));
      line2.appendChild(el('span', '', when(item.deliveredAt)));
      if (state.acked[item.alertId + '/' + item.version])
        line2.appendChild(el('span', 'acked', '\u2713 ' + state.acked[item.alertId + '/' + item.version]));
      button.appendChild(line1);
      button.appendChild(line2);
      button.addEventListener('click', function () {
        openInboxItem(item);
      });
      li.appendChild(button);
      list.appendChild(li);
      shown++;
    });
    byId('inbox-count').textContent = '(' + state.inbox.length + ')';
    byId('inbox-empty').hidden = shown > 0;
  }

  // ---- sent alerts ---------------------------------------------------------------------------------------------

  function refreshSent() {
    return api('GET', '/v1/alerts?limit=100')
      .then(function (answer) {
        if (answer.status !== 200) return;
        state.sent = answer.body.items;
        renderSent();
      })
      .catch(function () {
        /* shown again on the next refresh */
      });
  }

  function renderSent() {
    var list = byId('sent-list');
    list.textContent = '';
    state.sent.forEach(function (alert) {
      var li = el('li');
      var button = el('button');
      button.type = 'button';
      button.setAttribute('data-alert-id', alert.alertId);
      if (state.selected && state.selected.as === 'sender' && state.selected.alertId === alert.alertId)
        button.setAttribute('aria-current', 'true');
      var line1 = el('div', 'line1');
      if (alert.erased) line1.appendChild(el('span', 'kind state-erased', 'erased'));
      else line1.appendChild(tlpBadge(alert.tlp));
      line1.appendChild(
        el('span', 'headline', alert.erased ? 'Erased: the content of this alert was removed' : alert.headline),
      );
      if (alert.state === 'cancelled') line1.appendChild(el('span', 'kind state-cancelled', 'cancelled'));
      var line2 = el('div', 'line2');
      line2.appendChild(el('span', '', shortId(alert.alertId)));
      line2.appendChild(el('span', '', 'v' + alert.version));
      if (alert.category) line2.appendChild(el('span', '', alert.category));
      line2.appendChild(el('span', '', when(alert.createdAt)));
      button.appendChild(line1);
      button.appendChild(line2);
      button.addEventListener('click', function () {
        openSent(alert.alertId, true);
      });
      li.appendChild(button);
      list.appendChild(li);
    });
    byId('sent-empty').hidden = state.sent.length > 0;
  }

  function selectTab(name) {
    var inbox = name === 'inbox';
    byId('tab-inbox').setAttribute('aria-selected', String(inbox));
    byId('tab-sent').setAttribute('aria-selected', String(!inbox));
    byId('tab-inbox').tabIndex = inbox ? 0 : -1;
    byId('tab-sent').tabIndex = inbox ? -1 : 0;
    byId('inbox-view').hidden = !inbox;
    byId('sent-view').hidden = inbox;
    if (!inbox) refreshSent();
  }

  // ---- detail pane ---------------------------------------------------------------------------------------------

  function showPane(name) {
    byId('placeholder').hidden = name !== 'placeholder';
    byId('detail').hidden = name !== 'detail';
    byId('alert-form').hidden = name !== 'form';
    if (name !== 'detail') {
      clearInterval(state.senderTimer);
      state.selected = null;
    }
  }

  function field(list, label, value) {
    if (value === undefined || value === null || value === '') return;
    list.appendChild(el('dt', '', label));
    list.appendChild(el('dd', '', value));
  }

  function subjectText(subject) {
    var parts = SUBJECT_FIELDS[subject.type] || [];
    return parts
      .filter(function (f) {
        return subject[f[0]] !== undefined;
      })
      .map(function (f) {
        return f[1] + ': ' + subject[f[0]];
      })
      .join(' \u00b7 ');
  }

  /** The alert content shared by both views. */
  function renderContent(alert) {
    var fields = byId('detail-fields');
    fields.textContent = '';
    field(fields, 'Category', alert.category);
    field(fields, 'Status', alert.status);
    field(fields, 'Urgency', alert.urgency);
    field(fields, 'Severity', alert.severity);
    field(fields, 'Certainty', alert.certainty);
    field(
      fields,
      'Handling',
      alert.handlingCode + (alert.handlingConditions ? ' \u2014 ' + alert.handlingConditions : ''),
    );
    field(fields, 'Evaluation', alert.evaluation ? alert.evaluation.source + alert.evaluation.information : '');
    field(fields, 'Scope', alert.distribution ? alert.distribution.scope : '');
    field(
      fields,
      'Location',
      alert.location ? [alert.location.country, alert.location.place].filter(Boolean).join(', ') : '',
    );
    field(fields, 'Expires', alert.expiresAt ? when(alert.expiresAt) : '');
    field(
      fields,
      'Addressed to',
      alert.distribution && alert.distribution.recipients.length ? alert.distribution.recipients.join(', ') : '',
    );
    field(
      fields,
      'Groups',
      alert.distribution && alert.distribution.sharingGroups.length ? alert.distribution.sharingGroups.join(', ') : '',
    );
    field(fields, 'References', alert.references && alert.references.length ? alert.references.join(', ') : '');
    var subjects = byId('detail-subjects');
    subjects.textContent = '';
    (alert.subjects || []).forEach(function (subject) {
      var box = el('div', 'subject');
      box.appendChild(el('b', '', subject.type + ' '));
      box.appendChild(document.createTextNode(subjectText(subject)));
      if (subject.canonical) box.appendChild(el('span', 'canonical', ' (canonical ' + subject.canonical + ')'));
      subjects.appendChild(box);
    });
    byId('detail-description').textContent = alert.description || '';
  }

  function detailHeader(title, metaParts) {
    byId('detail-title').textContent = title;
    var meta = byId('detail-meta');
    meta.textContent = '';
    metaParts.forEach(function (part) {
      meta.appendChild(typeof part === 'string' ? el('span', '', part) : part);
    });
    byId('action-errors').textContent = '';
  }

  function resetSections() {
    ['recipients-section', 'ack-section', 'forward-section', 'detail-notice'].forEach(function (id) {
      byId(id).hidden = true;
    });
    byId('detail-fields').textContent = '';
    byId('detail-subjects').textContent = '';
    byId('detail-description').textContent = '';
    clearErrors(byId('detail'));
    byId('ack-result').textContent = '';
    byId('forward-result').textContent = '';
  }

  function openInboxItem(item) {
    if (item.kind === 'match') {
      openMatch(item);
      return;
    }
    state.selected = { as: 'recipient', alertId: item.alertId, deliveryId: item.deliveryId };
    renderInbox();
    openReceived(item.alertId, true);
  }

  function openMatch(item) {
    showPane('detail');
    state.selected = { as: 'match', alertId: item.alertId, deliveryId: item.deliveryId };
    renderInbox();
    resetSections();
    detailHeader('Match notice', [
      el('span', 'kind kind-match', 'match'),
      'found ' + when(item.match.foundAt),
      'about your alert ' + item.alertId,
    ]);
    var notice = byId('detail-notice');
    notice.hidden = false;
    notice.textContent = '';
    notice.appendChild(el('p', 'match-text', item.match.text));
    var open = el('button', '', 'Open your alert');
    open.type = 'button';
    open.addEventListener('click', function () {
      selectTab('sent');
      openSent(item.alertId, true);
    });
    notice.appendChild(open);
    byId('detail-title').focus();
  }

  function forwardRefusal(alert) {
    if (NO_FORWARD_TLP[alert.tlp])
      return (
        'Forwarding is not allowed: TLP:' +
        alert.tlp +
        ' alerts go only to the recipients the originator chose. Ask ' +
        ((state.selected && state.selected.sender) || 'the originator') +
        ' to add recipients.'
      );
    if (NO_FORWARD_HANDLING[alert.handlingCode])
      return 'Forwarding is not allowed: handling code H2 forbids onward dissemination without the originator\u2019s permission.';
    return null;
  }

  function openReceived(alertId, focus) {
    api('GET', '/v1/alerts/' + encodeURIComponent(alertId))
      .then(function (answer) {
        if (answer.status === 410) {
          showErased(answer.body, 'recipient');
          return;
        }
        if (answer.status !== 200) {
          showActionError(answer);
          return;
        }
        var view = answer.body;
        showPane('detail');
        state.selected = {
          as: 'recipient',
          alertId: alertId,
          deliveryId: state.selected && state.selected.deliveryId,
          version: view.version,
          sender: view.sender,
        };
        resetSections();
        var alert = view.alert;
        detailHeader(alert.headline, [
          tlpBadge(alert.tlp),
          el('span', 'kind kind-' + view.kind, view.kind),
          'v' + view.version,
          'from ' + view.sender,
          'delivered ' + when(view.deliveredAt),
          alertId,
        ]);
        if (view.kind === 'cancel') {
          var notice = byId('detail-notice');
          notice.hidden = false;
          notice.textContent =
            'Cancelled by ' +
            view.sender +
            (view.cancelReason ? ': ' + view.cancelReason : '') +
            '. The content below is the last version you received.';
        }
        renderContent(alert);
        byId('ack-section').hidden = false;
        byId('ack-submit').textContent = 'Acknowledge v' + view.version;
        var refusal = forwardRefusal(alert);
        byId('forward-section').hidden = view.kind === 'cancel';
        byId('forward-refused').hidden = !refusal;
        byId('forward-refused').textContent = refusal || '';
        byId('forward-form').hidden = !!refusal;
        if (!refusal) fillAgencyChoices(byId('forward-agencies'), 'forward', [view.sender]);
        if (focus) byId('detail-title').focus();
      })
      .catch(function () {
        /* signed out or offline: the status says so */
      });
  }

  /** 410 Gone: the alert's content was erased; what is left is who, when and which version. */
  function showErased(body, as) {
    var meta = (body && body.alert) || {};
    showPane('detail');
    state.selected = { as: as, alertId: meta.alertId, version: meta.version };
    resetSections();
    detailHeader('Erased alert', [
      el('span', 'kind state-erased', 'erased'),
      'v' + meta.version,
      as === 'sender' ? 'posted ' + when(meta.receivedAt) : 'from ' + meta.sender,
      String(meta.alertId),
    ]);
    var notice = byId('detail-notice');
    notice.hidden = false;
    notice.textContent =
      'The content of this alert was erased on ' +
      when(meta.erasedAt) +
      ' (retention ended or a lawful request). Its identifiers, parties and times remain.';
  }

  function openSent(alertId, focus) {
    state.selected = { as: 'sender', alertId: alertId };
    renderSent();
    loadSenderView(alertId, focus);
    clearInterval(state.senderTimer);
    state.senderTimer = setInterval(function () {
      if (
        state.selected &&
        state.selected.as === 'sender' &&
        state.selected.alertId === alertId &&
        !byId('detail').hidden
      )
        loadSenderView(alertId, false);
    }, SENDER_REFRESH_MS);
  }

  function loadSenderView(alertId, focus) {
    return api('GET', '/v1/alerts/' + encodeURIComponent(alertId))
      .then(function (answer) {
        if (answer.status === 410) {
          if (state.selected && state.selected.alertId === alertId) showErased(answer.body, 'sender');
          return;
        }
        if (answer.status !== 200) {
          showActionError(answer);
          return;
        }
        var view = answer.body;
        if (!state.selected || state.selected.alertId !== alertId) return;
        var wasHidden = byId('detail').hidden;
        showPane('detail');
        state.selected = {
          as: 'sender',
          alertId: alertId,
          version: view.version,
          state: view.state,
          alert: view.alert,
        };
        if (focus || wasHidden) resetSections();
        var alert = view.alert;
        detailHeader(alert.headline, [
          tlpBadge(alert.tlp),
          el('span', 'kind' + (view.state === 'cancelled' ? ' state-cancelled' : ''), view.state),
          'v' + view.version,
          'posted ' + when(view.receivedAt),
          alertId,
        ]);
        if (view.state === 'cancelled') {
          var notice = byId('detail-notice');
          notice.hidden = false;
          notice.textContent = 'You cancelled this alert' + (view.cancelReason ? ': ' + view.cancelReason : '') + '.';
        }
        renderContent(alert);
        byId('recipients-section').hidden = false;
        var body = byId('recipients-body');
        body.textContent = '';
        view.recipients.forEach(function (r) {
          var tr = el('tr');
          tr.setAttribute('data-agency-id', r.agencyId);
          tr.setAttribute('data-ack-status', r.ack ? r.ack.status : '');
          tr.appendChild(el('td', '', r.agencyId));
          tr.appendChild(el('td', '', r.deliveredKind + ' v' + r.deliveredVersion + ' \u00b7 ' + when(r.deliveredAt)));
          tr.appendChild(
            el(
              'td',
              'ack',
              r.ack
                ? r.ack.status +
                    ' (v' +
                    r.ack.version +
                    ', ' +
                    when(r.ack.at) +
                    ')' +
                    (r.ack.note ? ' \u2014 ' + r.ack.note : '')
                : 'not yet',
            ),
          );
          body.appendChild(tr);
        });
        if (view.recipients.length === 0) {
          var tr = el('tr');
          var td = el('td', 'muted', 'No delivery yet (routing takes a moment).');
          td.colSpan = 3;
          tr.appendChild(td);
          body.appendChild(tr);
        }
        var active = view.state === 'active';
        byId('edit-alert').hidden = !active;
        byId('cancel-form').hidden = !active;
        if (focus) byId('detail-title').focus();
      })
      .catch(function () {
        /* retried on the next tick */
      });
  }

  function showActionError(answer) {
    var box = byId('action-errors');
    box.textContent = (answer.body && answer.body.message) || 'HTTP ' + answer.status;
  }

  // ---- acknowledge, forward, cancel ----------------------------------------------------------------------------

  byId('ack-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var selected = state.selected;
    if (!selected || selected.as !== 'recipient') return;
    var checked = /** @type {HTMLInputElement} */ (document.querySelector('input[name="ack-status"]:checked'));
    var note = byId('ack-note').value.trim();
    var body = { version: selected.version, status: checked.value };
    if (note) body.note = note;
    clearErrors(byId('ack-form'));
    api('POST', '/v1/alerts/' + encodeURIComponent(selected.alertId) + '/ack', body)
      .then(function (answer) {
        if (answer.status === 202) {
          state.acked[selected.alertId + '/' + selected.version] = body.status;
          byId('ack-result').textContent = 'Acknowledged v' + selected.version + ' as ' + body.status + '.';
          byId('ack-note').value = '';
          renderInbox();
        } else {
          showErrors(byId('ack-form'), answer, byId('action-errors'));
        }
      })
      .catch(function () {
        /* signed out */
      });
  });

  byId('forward-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var selected = state.selected;
    if (!selected || selected.as !== 'recipient') return;
    var recipients = checkedValues(byId('forward-agencies'));
    clearErrors(byId('forward-form'));
    api(
      'POST',
      '/v1/alerts/' + encodeURIComponent(selected.alertId) + '/forward',
      { recipients: recipients },
      { 'Idempotency-Key': newIdempotencyKey() },
    )
      .then(function (answer) {
        if (answer.status === 202) {
          byId('forward-result').textContent = 'Forwarded as alert ' + answer.body.alertId + '.';
          refreshSent();
        } else {
          showErrors(byId('forward-form'), answer, byId('action-errors'));
        }
      })
      .catch(function () {
        /* signed out */
      });
  });

  byId('cancel-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var selected = state.selected;
    if (!selected || selected.as !== 'sender') return;
    clearErrors(byId('cancel-form'));
    api('POST', '/v1/alerts/' + encodeURIComponent(selected.alertId) + '/cancel', {
      reason: byId('cancel-reason').value,
    })
      .then(function (answer) {
        if (answer.status === 202) {
          byId('cancel-reason').value = '';
          refreshSent();
          loadSenderView(selected.alertId, false);
        } else {
          showErrors(byId('cancel-form'), answer, byId('action-errors'));
        }
      })
      .catch(function () {
        /* signed out */
      });
  });

  byId('edit-alert').addEventListener('click', function () {
    var selected = state.selected;
    if (!selected || selected.as !== 'sender' || !selected.alert) return;
    openForm('update', selected.alertId, selected.version, selected.alert);
  });

  // ---- errors next to fields -----------------------------------------------------------------------------------

  function clearErrors(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll('.field-error'), function (node) {
      node.textContent = '';
    });
    Array.prototype.forEach.call(scope.querySelectorAll('[aria-invalid]'), function (node) {
      node.removeAttribute('aria-invalid');
    });
    byId('form-errors').textContent = '';
    byId('action-errors').textContent = '';
  }

  /** The error slot for a path, or for its nearest parent ("subjects[0].number" → "subjects[0]" → "subjects"). */
  function errorSlot(scope, path) {
    var candidate = path;
    while (candidate) {
      var slot = scope.querySelector('[data-error-for="' + cssEscape(candidate) + '"]');
      if (slot) return { slot: slot, path: candidate };
      var cut = Math.max(candidate.lastIndexOf('.'), candidate.lastIndexOf('['));
      candidate = cut > 0 ? candidate.slice(0, cut) : '';
    }
    return null;
  }

  function cssEscape(text) {
    return text.replace(/["\\]/g, '\\$&');
  }

  /** Puts each of the API's field errors next to its field; what has no field goes into `fallback`. */
  function showErrors(scope, answer, fallback) {
    var details = (answer.body && answer.body.details) || [];
    var unplaced = [];
    details.forEach(function (detail) {
      var found = errorSlot(scope, detail.path);
      if (!found) {
        unplaced.push((detail.path ? detail.path + ': ' : '') + detail.message);
        return;
      }
      var prefix = found.path === detail.path ? '' : detail.path.slice(found.path.length).replace(/^\./, '') + ': ';
      found.slot.textContent = (found.slot.textContent ? found.slot.textContent + ' ' : '') + prefix + detail.message;
      var input = scope.querySelector('[data-path="' + cssEscape(found.path) + '"]');
      if (input) input.setAttribute('aria-invalid', 'true');
    });
    var summary = (answer.body && answer.body.message) || 'HTTP ' + answer.status;
    fallback.textContent = summary + (unplaced.length ? ' \u2014 ' + unplaced.join('; ') : '');
    var first = scope.querySelector('[aria-invalid="true"]');
    if (first && first.focus) first.focus();
  }

  // ---- the alert form ------------------------------------------------------------------------------------------

  function checkedValues(container) {
    return Array.prototype.map.call(container.querySelectorAll('input[type="checkbox"]:checked'), function (box) {
      return box.value;
    });
  }

  function fillAgencyChoices(container, name, exclude) {
    container.textContent = '';
    state.directory.agencies.forEach(function (agency) {
      if (exclude.indexOf(agency.id) >= 0) return;
      var label = el('label');
      var box = /** @type {HTMLInputElement} */ (el('input'));
      box.type = 'checkbox';
      box.name = name;
      box.value = agency.id;
      label.title = agency.name;
      label.appendChild(box);
      label.appendChild(document.createTextNode(agency.id + ' \u2014 ' + agency.name));
      container.appendChild(label);
    });
  }

  function fillChoices() {
    fillAgencyChoices(byId('f-recipients'), 'recipient', []);
    var groups = byId('f-groups');
    groups.textContent = '';
    state.directory.sharingGroups.forEach(function (group) {
      var label = el('label');
      var box = /** @type {HTMLInputElement} */ (el('input'));
      box.type = 'checkbox';
      box.name = 'group';
      box.value = group.id;
      label.title = group.name + ': ' + group.members.join(', ');
      label.appendChild(box);
      label.appendChild(document.createTextNode(group.id));
      groups.appendChild(label);
    });
    if (state.directory.sharingGroups.length === 0) groups.appendChild(el('span', 'muted', 'none defined'));
  }

  function addSubjectRow(subject) {
    var type = subject.type;
    var container = byId('f-subjects');
    var row = el('div', 'subject-row');
    row.setAttribute('data-type', type);
    row.appendChild(el('span', 'type', type));
    SUBJECT_FIELDS[type].forEach(function (f) {
      var label = el('label', '', f[1]);
      var input = /** @type {HTMLInputElement} */ (el('input'));
      input.type = f[2];
      if (f[2] === 'number') input.step = 'any';
      input.setAttribute('data-field', f[0]);
      if (subject[f[0]] !== undefined) input.value = String(subject[f[0]]);
      label.appendChild(input);
      label.appendChild(el('span', 'field-error'));
      row.appendChild(label);
    });
    var remove = el('button', '', 'Remove');
    remove.type = 'button';
    remove.setAttribute('aria-label', 'Remove this ' + type);
    remove.addEventListener('click', function () {
      row.remove();
      renumberSubjects();
    });
    row.appendChild(remove);
    container.appendChild(row);
    renumberSubjects();
    return row;
  }

  /** Paths follow the rows' order, so that "subjects[1].number" lands next to the second row's number. */
  function renumberSubjects() {
    Array.prototype.forEach.call(byId('f-subjects').children, function (row, index) {
      row.setAttribute('data-error-row', 'subjects[' + index + ']');
      Array.prototype.forEach.call(row.querySelectorAll('input[data-field]'), function (input) {
        var path = 'subjects[' + index + '].' + input.getAttribute('data-field');
        input.setAttribute('data-path', path);
        input.parentNode.querySelector('.field-error').setAttribute('data-error-for', path);
      });
    });
  }

  function subjectsFromForm() {
    return Array.prototype.map.call(byId('f-subjects').children, function (row) {
      var type = row.getAttribute('data-type');
      var subject = { type: type };
      Array.prototype.forEach.call(row.querySelectorAll('input[data-field]'), function (input) {
        var value = input.value.trim();
        if (value === '') return;
        subject[input.getAttribute('data-field')] = input.type === 'number' ? Number(value) : value;
      });
      return subject;
    });
  }

  function radioValue(name) {
    var checked = /** @type {HTMLInputElement} */ (document.querySelector('input[name="' + name + '"]:checked'));
    return checked ? checked.value : undefined;
  }

  function setRadio(name, value) {
    Array.prototype.forEach.call(document.querySelectorAll('input[name="' + name + '"]'), function (box) {
      box.checked = box.value === value;
    });
  }

  function setChecked(container, values) {
    Array.prototype.forEach.call(container.querySelectorAll('input[type="checkbox"]'), function (box) {
      box.checked = values.indexOf(box.value) >= 0;
    });
  }

  function toLocalInput(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    var local = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
    return local.toISOString().slice(0, 16);
  }

  function syncFormState() {
    byId('conditions-label').hidden = byId('f-handling').value !== 'H3';
    var regional = radioValue('scope') === 'regional';
    ['f-recipients', 'f-groups'].forEach(function (id) {
      var box = byId(id);
      box.setAttribute('aria-disabled', String(regional));
      Array.prototype.forEach.call(box.querySelectorAll('input'), function (input) {
        input.disabled = regional;
      });
    });
  }

  /** Opens the form empty (a new alert) or filled with an alert's current version (an update). */
  function openForm(mode, alertId, baseVersion, alert) {
    showPane('form');
    var form = byId('alert-form');
    form.reset();
    clearErrors(form);
    byId('f-subjects').textContent = '';
    state.formMode = mode;
    state.formAlertId = alertId;
    state.formBaseVersion = baseVersion;
    state.idempotencyKey = newIdempotencyKey();
    byId('form-title').textContent =
      mode === 'update' ? 'New version of ' + alert.headline + ' (replaces v' + baseVersion + ')' : 'New alert';
    byId('form-submit').textContent = mode === 'update' ? 'Post new version' : 'Post alert';
    byId('form-result').textContent = '';
    byId('f-country').value = state.self ? state.self.country : '';
    if (alert) {
      ['status', 'category', 'urgency', 'severity', 'certainty', 'headline', 'description'].forEach(function (name) {
        byId('f-' + name).value = alert[name] || '';
      });
      setRadio('tlp', alert.tlp);
      byId('f-handling').value = alert.handlingCode;
      byId('f-conditions').value = alert.handlingConditions || '';
      byId('f-source').value = alert.evaluation.source;
      byId('f-information').value = String(alert.evaluation.information);
      setRadio('scope', alert.distribution.scope);
      setChecked(byId('f-recipients'), alert.distribution.recipients);
      setChecked(byId('f-groups'), alert.distribution.sharingGroups);
      byId('f-country').value = alert.location.country;
      byId('f-place').value = alert.location.place || '';
      byId('f-lat').value = alert.location.lat === undefined ? '' : String(alert.location.lat);
      byId('f-lon').value = alert.location.lon === undefined ? '' : String(alert.location.lon);
      byId('f-expires').value = alert.expiresAt ? toLocalInput(alert.expiresAt) : '';
      byId('f-references').value = (alert.references || []).join(' ');
      // The hub stamps `canonical`; the form sends the identifiers as written only.
      (alert.subjects || []).forEach(function (subject) {
        addSubjectRow(subject);
      });
    }
    syncFormState();
    byId('form-title').focus();
  }

  function bodyFromForm() {
    var location = { country: byId('f-country').value.trim().toUpperCase() };
    var place = byId('f-place').value.trim();
    if (place) location.place = place;
    if (byId('f-lat').value !== '') location.lat = Number(byId('f-lat').value);
    if (byId('f-lon').value !== '') location.lon = Number(byId('f-lon').value);
    var scope = radioValue('scope');
    var body = {
      status: byId('f-status').value,
      category: byId('f-category').value,
      urgency: byId('f-urgency').value,
      severity: byId('f-severity').value,
      certainty: byId('f-certainty').value,
      headline: byId('f-headline').value.trim(),
      tlp: radioValue('tlp'),
      handlingCode: byId('f-handling').value,
      evaluation: { source: byId('f-source').value, information: Number(byId('f-information').value) },
      distribution:
        scope === 'regional'
          ? { scope: scope }
          : {
              scope: scope,
              recipients: checkedValues(byId('f-recipients')),
              sharingGroups: checkedValues(byId('f-groups')),
            },
      location: location,
      subjects: subjectsFromForm(),
    };
    var description = byId('f-description').value.trim();
    if (description) body.description = description;
    if (body.handlingCode === 'H3') body.handlingConditions = byId('f-conditions').value.trim();
    var expires = byId('f-expires').value;
    if (expires) body.expiresAt = new Date(expires).toISOString();
    var references = byId('f-references')
      .value.split(/[\s,]+/)
      .filter(Boolean);
    if (references.length) body.references = references;
    if (state.formMode === 'update') body.baseVersion = state.formBaseVersion;
    return body;
  }

  byId('alert-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var form = byId('alert-form');
    clearErrors(form);
    var body = bodyFromForm();
    var update = state.formMode === 'update';
    var path = update ? '/v1/alerts/' + encodeURIComponent(state.formAlertId) + '/versions' : '/v1/alerts';
    byId('form-submit').disabled = true;
    api('POST', path, body, update ? {} : { 'Idempotency-Key': state.idempotencyKey })
      .then(function (answer) {
        byId('form-submit').disabled = false;
        if (answer.status === 202) {
          var alertId = answer.body.alertId;
          state.idempotencyKey = newIdempotencyKey();
          refreshSent().then(function () {
            selectTab('sent');
            openSent(alertId, true);
          });
          return;
        }
        showErrors(form, answer, byId('form-errors'));
      })
      .catch(function () {
        byId('form-submit').disabled = false;
      });
  });

  // ---- wiring --------------------------------------------------------------------------------------------------

  byId('signin-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = /** @type {HTMLInputElement} */ (byId('signin-key'));
    var key = input.value.trim();
    if (!key) {
      byId('signin-error').textContent = 'Enter an agency key.';
      return;
    }
    input.value = '';
    signIn(key);
  });
  byId('signout').addEventListener('click', function () {
    signOut('');
  });
  byId('tab-inbox').addEventListener('click', function () {
    selectTab('inbox');
  });
  byId('tab-sent').addEventListener('click', function () {
    selectTab('sent');
  });
  // Arrow keys move between the two tabs, as in any tab list.
  byId('tab-inbox').parentNode.addEventListener('keydown', function (event) {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    var toSent = byId('tab-inbox').getAttribute('aria-selected') === 'true';
    selectTab(toSent ? 'sent' : 'inbox');
    byId(toSent ? 'tab-sent' : 'tab-inbox').focus();
  });
  byId('new-alert').addEventListener('click', function () {
    openForm('new', null, null, null);
  });
  byId('form-cancel').addEventListener('click', function () {
    showPane('placeholder');
  });
  byId('add-subject').addEventListener('click', function () {
    var row = addSubjectRow({ type: byId('subject-type').value });
    var first = row.querySelector('input');
    if (first) first.focus();
  });
  byId('f-handling').addEventListener('change', syncFormState);
  Array.prototype.forEach.call(document.querySelectorAll('input[name="scope"]'), function (box) {
    box.addEventListener('change', syncFormState);
  });
  byId('show-alerts').addEventListener('change', renderInbox);
  byId('show-matches').addEventListener('change', renderInbox);

  var saved = sessionStorage.getItem(KEY_STORAGE);
  if (saved) signIn(saved);
  else showSignIn('');
})();
