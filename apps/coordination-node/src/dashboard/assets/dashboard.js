// @ts-check
/**
 * The analysts' dashboard. Data comes from the analyst API with the key the analyst signs in with; every value is
 * written with textContent, never as HTML. Served inline under a hashed Content-Security-Policy (see libs/platform web-page.ts).
 */
(function () {
  'use strict';
  var KEY_STORAGE = 'hub.analystKey';
  var INITIAL_WINDOW = 1000;
  var MAX_ENTRIES = 3000;
  var MAX_ROWS = 400;
  var MAX_RETRY_MS = 15000;
  var EVENT_LABELS = {
    'alert.submitted': 'Submitted',
    'alert.updated': 'Updated',
    'alert.cancelled': 'Cancelled',
    'routing.decided': 'Routed',
    'alert.delivered': 'Delivered',
    'alert.acked': 'Acknowledged',
    'correlation.found': 'Correlation',
  };
  var IDENTIFIER_LABELS = {
    container: 'container',
    'vehicle-plate': 'vehicle plate',
    'vehicle-vin': 'VIN',
    'person-document': 'travel document',
    phone: 'phone',
    'vessel-imo': 'vessel',
  };

  var state = {
    key: null,
    lastEventId: null,
    initialAfter: '0',
    controller: null,
    retryMs: 2000,
    retryTimer: null,
    entries: [],
    seen: {},
    dirty: false,
    freshCursors: {},
    statsTimer: null,
    statsInterval: null,
    correlationsTimer: null,
  };

  function byId(id) {
    return document.getElementById(id);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function td(className, content) {
    var cell = el('td', className);
    if (content instanceof Node) cell.appendChild(content);
    else if (content !== undefined && content !== null) cell.textContent = String(content);
    return cell;
  }

  function shortId(id) {
    return id ? String(id).slice(0, 8) : '';
  }

  function clock(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  }

  function age(seconds) {
    if (seconds < 60) return seconds + 's';
    if (seconds < 3600) return Math.floor(seconds / 60) + 'm ' + (seconds % 60) + 's';
    if (seconds < 86400) return Math.floor(seconds / 3600) + 'h ' + Math.floor((seconds % 3600) / 60) + 'm';
    return Math.floor(seconds / 86400) + 'd ' + Math.floor((seconds % 86400) / 3600) + 'h';
  }

  function tlpBadge(tlp) {
    var label = tlp || '?';
    return el('span', 'tlp tlp-' + (tlp ? tlp.replace('+', '-') : 'unknown'), 'TLP:' + label);
  }

  function withheldNote(tlp) {
    return el('span', 'withheld-note', (tlp || 'Restricted') + ' \u2014 content withheld');
  }

  function setStatus(kind, text) {
    var status = byId('status');
    status.className = kind;
    status.textContent = text;
  }

  function authorised(path, init) {
    var options = init || {};
    options.headers = options.headers || {};
    options.headers.Authorization = 'Bearer ' + state.key;
    options.cache = 'no-store';
    return fetch(path, options);
  }

  function getJson(path) {
    return authorised(path).then(function (response) {
      if (response.status === 401 || response.status === 403) {
        signOut(
          response.status === 401
            ? 'Your key is no longer accepted. Sign in again.'
            : 'This key is not an analyst key.',
        );
        throw new Error('signed out');
      }
      if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
      return response.json();
    });
  }

  // ---- sign in / out -------------------------------------------------------------------------------------------

  function showSignIn(message) {
    byId('signin').hidden = false;
    byId('dashboard').hidden = true;
    byId('signout').hidden = true;
    byId('signin-error').textContent = message || '';
    setStatus('', 'signed out');
    byId('signin-key').focus();
  }

  function signIn(key) {
    state.key = key;
    byId('signin-error').textContent = '';
    return authorised('/v1/stats')
      .then(function (response) {
        if (response.status === 401) throw new Error('The key was not accepted.');
        if (response.status === 403) throw new Error('This key is not an analyst key.');
        if (!response.ok) throw new Error('The coordination node answered HTTP ' + response.status + '.');
        return response.json();
      })
      .then(function (stats) {
        sessionStorage.setItem(KEY_STORAGE, key);
        byId('signin').hidden = true;
        byId('dashboard').hidden = false;
        byId('signout').hidden = false;
        renderStats(stats);
        refreshCorrelations();
        state.statsInterval = setInterval(refreshStats, 15000);
        startFeed();
      })
      .catch(function (error) {
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
    clearInterval(state.statsInterval);
    state.entries = [];
    state.seen = {};
    state.lastEventId = null;
    byId('feed-body').textContent = '';
    showSignIn(message);
  }

  // ---- live feed: fetch() streaming, because EventSource cannot send an Authorization header -------------------

  function startFeed() {
    setStatus('reconnecting', 'connecting\u2026');
    getJson('/v1/feed?limit=1')
      .then(function (page) {
        state.initialAfter = String(Math.max(0, Number(page.headCursor) - INITIAL_WINDOW));
        connect();
      })
      .catch(function (error) {
        if (state.key) scheduleReconnect(error);
      });
  }

  function connect() {
    if (!state.key) return;
    var controller = new AbortController();
    state.controller = controller;
    var headers = { Accept: 'text/event-stream' };
    var path = '/v1/feed/stream';
    if (state.lastEventId) headers['Last-Event-ID'] = state.lastEventId;
    else path += '?after=' + encodeURIComponent(state.initialAfter);
    authorised(path, { headers: headers, signal: controller.signal })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          signOut(
            response.status === 401
              ? 'Your key is no longer accepted. Sign in again.'
              : 'This key is not an analyst key.',
          );
          return;
        }
        if (!response.ok || !response.body) throw new Error('feed: HTTP ' + response.status);
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
    if (window.console) console.warn('feed disconnected:', error && error.message);
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
    if (event === 'feed' && data.length > 0) {
      var entry = JSON.parse(data.join('\n'));
      if (id) state.lastEventId = id;
      addEntry(entry);
    } else if (event === 'error') {
      setStatus('reconnecting', 'feed interrupted');
    }
  }

  // ---- feed table ----------------------------------------------------------------------------------------------

  function filterGroup(entry) {
    if (entry.type === 'routing.decided') return entry.decision === 'withheld' ? 'withheld' : 'routed';
    if (entry.type === 'alert.delivered') return 'delivered';
    if (entry.type === 'alert.acked') return 'acked';
    if (entry.type === 'correlation.found') return 'correlations';
    return 'submissions';
  }

  function addEntry(entry) {
    if (state.seen[entry.cursor]) return;
    state.seen[entry.cursor] = true;
    state.entries.push(entry);
    state.freshCursors[entry.cursor] = true;
    if (state.entries.length > MAX_ENTRIES) {
      var dropped = state.entries.splice(0, state.entries.length - MAX_ENTRIES);
      dropped.forEach(function (old) {
        delete state.seen[old.cursor];
      });
    }
    scheduleRender();
    if (entry.type !== 'routing.decided') scheduleStats();
    if (entry.type === 'correlation.found') scheduleCorrelations();
  }

  function scheduleRender() {
    if (state.dirty) return;
    state.dirty = true;
    requestAnimationFrame(renderFeed);
  }

  function enabledGroups() {
    var groups = {};
    Array.prototype.forEach.call(document.querySelectorAll('#filters input'), function (box) {
      groups[box.value] = box.checked;
    });
    return groups;
  }

  function renderFeed() {
    state.dirty = false;
    var groups = enabledGroups();
    var body = byId('feed-body');
    var rows = document.createDocumentFragment();
    var shown = 0;
    for (var i = state.entries.length - 1; i >= 0 && shown < MAX_ROWS; i--) {
      var entry = state.entries[i];
      if (!groups[filterGroup(entry)]) continue;
      rows.appendChild(feedRow(entry));
      shown++;
    }
    body.textContent = '';
    body.appendChild(rows);
    state.freshCursors = {};
    byId('feed-count').textContent = shown + ' shown of ' + state.entries.length + ' received';
    byId('feed-empty').hidden = shown > 0;
  }

  /** Agency ids joined by a separator; an id never breaks across lines (they contain hyphens). */
  function agencyList(ids, separator) {
    var list = el('span');
    ids.forEach(function (id, i) {
      if (i > 0) list.appendChild(document.createTextNode(separator));
      list.appendChild(el('span', 'agency', id));
    });
    return list;
  }

  function parties(entry) {
    var from = entry.sender || (entry.actor && entry.actor.agencyId) || '';
    if (entry.type === 'alert.acked') return agencyList([entry.recipient || '', entry.sender || ''], ' \u2192 ');
    if (entry.type === 'correlation.found')
      return agencyList(entry.correlation ? entry.correlation.agencies : [], ' \u2194 ');
    if (entry.recipient) return agencyList([from, entry.recipient], ' \u2192 ');
    if (entry.recipients) {
      var to = agencyList(entry.recipients.length ? entry.recipients : ['all agencies'], ', ');
      var both = agencyList([from], '');
      both.appendChild(document.createTextNode(' \u2192 '));
      both.appendChild(to);
      return both;
    }
    return agencyList([from], '');
  }

  function details(entry) {
    var box = el('span');
    switch (entry.type) {
      case 'alert.submitted':
      case 'alert.updated':
        if (entry.redacted || !entry.alert) box.appendChild(withheldNote(entry.tlp));
        else box.textContent = entry.alert.headline || '';
        break;
      case 'alert.cancelled':
        if (entry.redacted) box.appendChild(withheldNote(entry.tlp));
        else box.textContent = entry.cancelReason ? 'Reason: ' + entry.cancelReason : 'Cancelled';
        break;
      case 'routing.decided':
        box.textContent =
          (entry.decision || '') + ' \u00b7 ' + (entry.reason || '') + (entry.kind ? ' \u00b7 ' + entry.kind : '');
        box.className = 'muted';
        break;
      case 'alert.delivered':
        box.textContent = 'in inbox' + (entry.kind ? ' \u00b7 ' + entry.kind : '');
        box.className = 'muted';
        break;
      case 'alert.acked':
        box.textContent =
          (entry.ack && entry.ack.status ? entry.ack.status : 'acknowledged') +
          (entry.ack && entry.ack.note ? ' \u2014 ' + entry.ack.note : '');
        // Notes are free text kept by the gateway; the audit fact (hence the feed) has only a commitment to them.
        if (entry.ack && entry.ack.noteCommitment)
          box.appendChild(
            el(
              'span',
              'withheld-note',
              ' \u2014 note withheld (commitment ' + entry.ack.noteCommitment.slice(0, 12) + '\u2026)',
            ),
          );
        break;
      case 'correlation.found':
        var c = entry.correlation;
        if (!c) break;
        box.textContent = c.identifier
          ? 'Same ' + (IDENTIFIER_LABELS[c.identifier.kind] || c.identifier.kind) + ' ' + c.identifier.key
          : '';
        if (!c.identifier) box.appendChild(withheldNote('Restricted alert'));
        break;
      default:
        break;
    }
    return box;
  }

  function feedRow(entry) {
    var row = el('tr');
    row.setAttribute('data-cursor', entry.cursor);
    row.setAttribute('data-type', entry.type);
    if (entry.alertId) row.setAttribute('data-alert-id', entry.alertId);
    row.setAttribute('data-redacted', entry.redacted ? 'true' : 'false');
    if (state.freshCursors[entry.cursor]) row.className = 'fresh';
    var label = el(
      'span',
      'event' + (entry.decision === 'withheld' ? ' withheld' : ''),
      EVENT_LABELS[entry.type] || entry.type,
    );
    var alertCell = td('id', entry.alertId ? shortId(entry.alertId) + (entry.version ? ' v' + entry.version : '') : '');
    if (entry.alertId) alertCell.title = entry.alertId;
    row.appendChild(td('time', clock(entry.at)));
    row.appendChild(td('', label));
    row.appendChild(alertCell);
    row.appendChild(td('agencies', parties(entry)));
    row.appendChild(td('', entry.category || ''));
    row.appendChild(td('', entry.tlp ? tlpBadge(entry.tlp) : ''));
    row.appendChild(td('', details(entry)));
    return row;
  }

  // ---- stats and chase list ------------------------------------------------------------------------------------

  function scheduleStats() {
    if (state.statsTimer) return;
    state.statsTimer = setTimeout(function () {
      state.statsTimer = null;
      refreshStats();
    }, 800);
  }

  function refreshStats() {
    if (!state.key) return;
    getJson('/v1/stats')
      .then(renderStats)
      .catch(function () {
        /* the next event or tick retries */
      });
  }

  function volumeRows(bodyId, rows, labelField) {
    var body = byId(bodyId);
    body.textContent = '';
    rows.forEach(function (row) {
      var tr = el('tr');
      tr.setAttribute('data-key', row[labelField]);
      tr.appendChild(td('', row[labelField]));
      tr.appendChild(td('num', row.lastHour));
      tr.appendChild(td('num', row.last24h));
      tr.appendChild(td('num', row.total));
      body.appendChild(tr);
    });
    if (rows.length === 0) {
      var empty = el('tr');
      var cell = td('muted', 'none yet');
      cell.colSpan = 4;
      empty.appendChild(cell);
      body.appendChild(empty);
    }
  }

  function renderStats(stats) {
    var day = stats.windows.last24h;
    byId('tile-alerts').textContent = day.alertsSubmitted;
    byId('tile-deliveries').textContent = day.deliveries;
    byId('tile-acks').textContent = day.acks;
    byId('tile-correlations').textContent = day.correlations;
    byId('tile-unacked').textContent = stats.unacknowledged.total;
    byId('tile-dead').textContent = day.deadLettered;
    volumeRows('by-country-body', stats.byCountry, 'country');
    volumeRows('by-category-body', stats.byCategory, 'category');
    var body = byId('chase-body');
    body.textContent = '';
    stats.unacknowledged.oldest.forEach(function (item) {
      var tr = el('tr');
      tr.setAttribute('data-alert-id', item.alertId);
      tr.setAttribute('data-recipient', item.recipient);
      var idCell = td('id', shortId(item.alertId) + ' v' + item.version);
      idCell.title = item.alertId;
      tr.appendChild(td('time', age(item.ageSeconds)));
      tr.appendChild(idCell);
      tr.appendChild(td('agencies', agencyList([item.sender, item.recipient], ' \u2192 ')));
      tr.appendChild(td('', item.redacted ? withheldNote(item.tlp) : item.headline || item.category || ''));
      body.appendChild(tr);
    });
    byId('chase-count').textContent = stats.unacknowledged.total + ' waiting, oldest first';
    byId('chase-empty').hidden = stats.unacknowledged.oldest.length > 0;
    byId('updated-at').textContent = 'updated ' + clock(stats.generatedAt);
  }

  // ---- correlations --------------------------------------------------------------------------------------------

  function scheduleCorrelations() {
    if (state.correlationsTimer) return;
    state.correlationsTimer = setTimeout(function () {
      state.correlationsTimer = null;
      refreshCorrelations();
    }, 500);
  }

  function refreshCorrelations() {
    if (!state.key) return;
    getJson('/v1/correlations?limit=100')
      .then(renderCorrelations)
      .catch(function () {
        /* retried on the next correlation */
      });
  }

  function renderCorrelations(page) {
    var list = byId('correlations');
    list.textContent = '';
    page.items.forEach(function (c) {
      var item = el('li');
      item.setAttribute('data-correlation-id', c.correlationId);
      item.setAttribute(
        'data-alert-ids',
        c.alerts
          .map(function (a) {
            return a.alertId;
          })
          .join(' '),
      );
      var what = el('div', 'what');
      what.appendChild(el('span', 'time muted', clock(c.foundAt) + ' '));
      if (c.identifier)
        what.appendChild(
          document.createTextNode(
            'Same ' + (IDENTIFIER_LABELS[c.identifier.kind] || c.identifier.kind) + ' ' + c.identifier.key,
          ),
        );
      else what.appendChild(withheldNote('Restricted alert'));
      item.appendChild(what);
      var who = el('div', 'agencies');
      who.appendChild(agencyList(c.agencies, ' \u2194 '));
      who.appendChild(
        document.createTextNode(
          ' \u00b7 ' +
            c.alerts
              .map(function (a) {
                return a.agencyId + ' ' + shortId(a.alertId);
              })
              .join(', '),
        ),
      );
      item.appendChild(who);
      var notices = el('details');
      notices.appendChild(
        el(
          'summary',
          '',
          (c.restricted ? 'Restricted: owners told only whom to contact' : 'Owners may see each other\u2019s alerts') +
            ' (' +
            c.notices.length +
            ' notices)',
        ),
      );
      c.notices.forEach(function (n) {
        notices.appendChild(el('p', '', n.agencyId + ': ' + n.text));
      });
      item.appendChild(notices);
      list.appendChild(item);
    });
    byId('correlations-count').textContent = page.items.length + (page.nextCursor ? '+' : '');
    byId('correlations-empty').hidden = page.items.length > 0;
  }

  // ---- wiring --------------------------------------------------------------------------------------------------

  byId('signin-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = /** @type {HTMLInputElement} */ (byId('signin-key'));
    var key = input.value.trim();
    if (!key) {
      byId('signin-error').textContent = 'Enter an analyst key.';
      return;
    }
    input.value = '';
    signIn(key);
  });
  byId('signout').addEventListener('click', function () {
    signOut('');
  });
  Array.prototype.forEach.call(document.querySelectorAll('#filters input'), function (box) {
    box.addEventListener('change', scheduleRender);
  });

  var saved = sessionStorage.getItem(KEY_STORAGE);
  if (saved) signIn(saved);
  else showSignIn('');
})();
