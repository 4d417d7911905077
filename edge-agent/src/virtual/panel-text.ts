import type { Lang } from '@onestop/protocol';

/** The virtual devices panel's wording; Vietnamese first, as on the kiosk (kiosk/i18n.ts). */
export const PANEL_TEXT = {
  vi: {
    title: 'Thiết bị ảo của quầy',
    banner:
      'THIẾT BỊ ẢO: không đọc bàn phím đánh giá, máy quét hay đầu đọc thẻ thật nào. Mọi thao tác ở đây được ghi như thật.',
    keypad: 'Bàn phím đánh giá',
    noKeypad: 'Chưa cấu hình bàn phím',
    scan: 'Quét mã hồ sơ (hoặc số thứ tự)',
    scanButton: 'Quét',
    badge: 'Quẹt thẻ cán bộ',
    badgeButton: 'Quẹt thẻ',
    counter: 'Màn hình quầy',
    officer: 'Cán bộ',
    none: 'không có',
    startVisit: 'Bắt đầu lượt (phím cán bộ)',
    endVisit: 'Kết thúc lượt (phím cán bộ)',
    officerBar: 'Thanh cán bộ (như trên kiosk)',
    kioskStart: 'Bắt đầu lượt tiếp nhận',
    kioskEnd: 'Kết thúc lượt tiếp nhận',
    sent: 'Đã gửi',
    refused: 'Bị từ chối',
    language: 'English',
  },
  en: {
    title: 'Virtual counter devices',
    banner:
      'VIRTUAL DEVICES: no real rating keypad, scanner or badge reader is read. Everything done here is recorded as if real.',
    keypad: 'Rating keypad',
    noKeypad: 'No keypad configured',
    scan: 'Scan a dossier ID (or queue ticket)',
    scanButton: 'Scan',
    badge: 'Badge in an officer',
    badgeButton: 'Badge',
    counter: 'Counter screen',
    officer: 'Officer',
    none: 'none',
    startVisit: 'Start visit (officer key)',
    endVisit: 'End visit (officer key)',
    officerBar: "Officer's bar (as on the kiosk)",
    kioskStart: 'Start visit',
    kioskEnd: 'End visit',
    sent: 'Sent',
    refused: 'Refused',
    language: 'Tiếng Việt',
  },
} as const satisfies Record<Lang, Record<string, string>>;

export type PanelText = (typeof PANEL_TEXT)['vi'] | (typeof PANEL_TEXT)['en'];
