import type { Messages } from './text-en';
import type { ChartPeriod } from './types';

const PERIOD_RU: Record<ChartPeriod, string> = { '7d': 'последние 7 дней', '24h': 'последние 24 часа' };

/** Russian plural forms: one (1, 21), few (2–4, 22–24), many (5–20, 25–30). */
function plural(count: number, one: string, few: string, many: string): string {
  const form = new Intl.PluralRules('ru-RU').select(count);
  return form === 'one' ? one : form === 'few' ? few : many;
}

/** The dashboard in Russian; typed by the English catalogue, so a missing key is a type error. */
export const TEXT_RU: Messages = {
  status: {
    signedOut: 'вход не выполнен',
    connecting: 'подключение\u2026',
    live: 'на связи',
    reconnecting: 'переподключение\u2026',
    interrupted: 'лента прервана',
  },
  signIn: {
    enterKey: 'Введите ключ аналитика.',
    keyNotAccepted: 'Ключ не принят.',
    notAnalystKey: 'Это не ключ аналитика.',
    keyRejected: 'Ваш ключ больше не принимается. Войдите снова.',
    nodeAnswered: (status: number) => `Узел координации ответил кодом HTTP ${status}.`,
  },
  events: {
    'alert.submitted': 'Отправлено',
    'alert.updated': 'Обновлено',
    'alert.cancelled': 'Отменено',
    'routing.decided': 'Рассылка',
    'alert.delivered': 'Доставлено',
    'alert.acked': 'Подтверждено',
    'correlation.found': 'Совпадение',
  },
  identifiers: {
    container: 'контейнер',
    'vehicle-plate': 'госномер',
    'vehicle-vin': 'VIN',
    'person-document': 'проездной документ',
    phone: 'телефон',
    'vessel-imo': 'судно',
    'person-name': 'лицо (те же имя и дата рождения)',
  },
  feed: {
    withheld: (tlp: string | undefined) => (tlp || 'Ограничено') + ' \u2014 содержание скрыто',
    restrictedAlert: 'Оповещение ограниченного доступа',
    reason: (reason: string) => 'Причина: ' + reason,
    cancelled: 'Отменено',
    inInbox: 'во входящих',
    acknowledged: 'подтверждено',
    noteWithheld: (commitment: string) => ` \u2014 примечание скрыто (хеш-обязательство ${commitment}\u2026)`,
    allAgencies: 'все ведомства',
    count: (shown: string, received: string) => `показано ${shown} из ${received} полученных`,
  },
  samePerson: (forms: string) => `Одно и то же лицо: ${forms}`,
  same: (kind: string, key: string) => `Один и тот же объект (${kind}): ${key}`,
  stats: {
    noneYet: 'пока нет',
    waiting: (total: string) => `ожидают: ${total}, сначала самые давние`,
    updated: (time: string) => 'обновлено ' + time,
  },
  correlations: {
    restricted: 'Ограничено: владельцам сообщено только, с кем связаться',
    open: 'Владельцы могут видеть оповещения друг друга',
    notices: (count: number) => ` (${count} ${plural(count, 'уведомление', 'уведомления', 'уведомлений')})`,
  },
  rooms: {
    erased: 'название удалено',
    open: 'открыта',
    closed: 'закрыта',
    centreMember: 'центр — участник: сообщения доступны в консоли',
    metadataOnly: 'только метаданные',
    closes: (time: string) => 'закрывается ' + time,
    messages: (count: number, last: string | null) =>
      `${count} ${plural(count, 'сообщение', 'сообщения', 'сообщений')}` + (last ? ', последнее ' + last : ''),
  },
  charts: {
    axisAlerts: 'оповещения',
    axisDeliveries: 'доставки',
    axisCorrelations: 'совпадения',
    axisFrom: 'откуда',
    axisTo: 'куда',
    colState: 'Государство-отправитель',
    colRecipientState: 'Государство-получатель',
    colFromTo: 'Откуда \u2192 куда',
    colTotal: 'Всего',
    colPeriod: (period: ChartPeriod) => (period === '24h' ? 'Час' : 'День'),
    ages: {
      lt1h: 'до 1\u00a0ч',
      '1h-6h': '1\u20136\u00a0ч',
      '6h-24h': '6\u201324\u00a0ч',
      '1d-7d': '1\u20137 дней',
      gt7d: 'более 7 дней',
    },
    flowTooltip: (from: string, to: string, count: string) => `${from} \u2192 ${to}: ${count}`,
    nothing: (period: ChartPeriod) => `За ${PERIOD_RU[period]} ничего нет.`,
    alertsSummary: (period: ChartPeriod, total: string, top: string, topCount: string) =>
      `Оповещений за ${PERIOD_RU[period]}: ${total}. Больше всего \u2014 ${top} (${topCount}).`,
    flowsSummary: (period: ChartPeriod, total: string, from: string, to: string, count: string) =>
      `Доставок между государствами за ${PERIOD_RU[period]}: ${total}. Больше всего \u2014 ${from} \u2192 ${to} (${count}).`,
    unackedSummary: (total: string, top: string, topCount: string) =>
      `Неподтверждённых доставок: ${total}. Больше всего \u2014 ${top} (${topCount}).`,
    allAcknowledged: 'Все доставки подтверждены.',
    correlationsSummary: (period: ChartPeriod, total: string) => `Совпадений за ${PERIOD_RU[period]}: ${total}.`,
  },
  /** Ages in the chase list: 42 с, 3 мин 5 с, 2 ч 10 мин, 1 д 4 ч. */
  age(seconds: number): string {
    if (seconds < 60) return seconds + '\u00a0с';
    if (seconds < 3600) return Math.floor(seconds / 60) + '\u00a0мин ' + (seconds % 60) + '\u00a0с';
    if (seconds < 86400)
      return Math.floor(seconds / 3600) + '\u00a0ч ' + Math.floor((seconds % 3600) / 60) + '\u00a0мин';
    return Math.floor(seconds / 86400) + '\u00a0д ' + Math.floor((seconds % 86400) / 3600) + '\u00a0ч';
  },
  html: {
    title: 'Монитор регионального центра \u2014 Alert Exchange Hub',
    heading: 'Региональный координационный центр \u2014 мониторинг обмена',
    language: 'Язык',
    signOut: 'Выйти',
    signInTitle: 'Вход для аналитика',
    signInHelp:
      'Вставьте API-ключ аналитика. Он хранится только в этой вкладке браузера (session storage) и передаётся только этому узлу.',
    analystKey: 'Ключ аналитика',
    signIn: 'Войти',
    feedTitle: 'Лента событий',
    filtersLabel: 'Показывать',
    showSubmissions: 'отправка, обновления, отмены',
    showRouted: 'рассылка',
    showWithheld: 'решения «не направлено»',
    showDelivered: 'доставки',
    showAcked: 'подтверждения',
    showCorrelations: 'совпадения',
    colTime: 'Время',
    colEvent: 'Событие',
    colAlert: 'Оповещение',
    colFromTo: 'От кого \u2192 кому',
    colCategory: 'Категория',
    colDetails: 'Подробности',
    feedEmpty: 'Ожидание событий обмена\u2026',
    tilesTitle: 'За 24 часа',
    tileAlerts: 'оповещения',
    tileDeliveries: 'доставки',
    tileAcks: 'подтверждения',
    tileCorrelations: 'совпадения',
    tileUnacked: 'ожидают',
    tileDeadHint: 'сообщения, отправленные в очередь недоставленных за последние 24 ч (npm run dead-letters)',
    tileDead: 'недоставленные',
    volumesLabel: 'Оповещения по странам отправителей и категориям',
    colCountry: 'Страна',
    col1h: '1 ч',
    col24h: '24 ч',
    colAll: 'всего',
    chaseTitle: 'Контроль подтверждений',
    colAge: 'Срок',
    colSenderRecipient: 'Кто \u2192 кому',
    colAbout: 'О чём',
    chaseEmpty: 'Все доставки подтверждены.',
    correlationsTitle: 'Совпадения между ведомствами',
    chartsTitle: 'Графики',
    periodLabel: 'Период графиков',
    period7d: '7 дней, по дням',
    period24h: '24 часа, по часам',
    chartAlerts: 'Оповещения по государствам-отправителям',
    chartFlows: 'Доставки между государствами',
    chartUnacked: 'Не подтверждено: по государству-получателю и давности',
    chartCorrelations: 'Найденные совпадения',
    showTable: 'Таблица',
    correlationsEmpty: 'Совпадений между ведомствами пока нет.',
    roomsTitle: 'Оперативные комнаты',
    roomsEmpty: 'Оперативных комнат пока нет.',
  },
};
