import { LEVEL_LABELS, type RatingScale } from '@onestop/protocol';

export type Lang = 'vi' | 'en';

const MESSAGES = {
  title: { vi: 'Giám sát quầy giao dịch một cửa', en: 'One-stop counter monitoring' },
  city: { vi: 'So sánh các phường, xã', en: 'Compare wards and communes' },
  unit: { vi: 'Trung tâm / Điểm Phục vụ hành chính công', en: 'Public administrative service centre' },
  devices: { vi: 'Thiết bị tại quầy', en: 'Counter devices' },
  liveRatings: { vi: 'Đánh giá mới nhất', en: 'Latest ratings' },
  officers: { vi: 'Đánh giá theo cán bộ, công chức', en: 'Evaluation per officer' },
  officer: { vi: 'Cán bộ', en: 'Officer' },
  counter: { vi: 'Quầy', en: 'Counter' },
  noOfficer: { vi: '(không có cán bộ đăng nhập)', en: '(no officer signed in)' },
  ratings: { vi: 'Số đánh giá', en: 'Ratings' },
  satisfiedShare: { vi: 'Tỷ lệ hài lòng với thái độ cán bộ', en: "Satisfied with the officer's attitude" },
  verySatisfiedShare: { vi: 'Tỷ lệ rất hài lòng', en: 'Very satisfied' },
  satisfactionIndex: { vi: 'Chỉ số hài lòng (0–100)', en: 'Satisfaction index (0–100)' },
  dossierShare: { vi: 'Tỷ lệ hồ sơ hài lòng (QĐ 766)', en: 'Satisfied dossiers (Decision 766)' },
  dossiers: { vi: 'hồ sơ', en: 'dossiers' },
  dossierCount: { vi: 'Số hồ sơ', en: 'Dossiers' },
  officialLevels: { vi: 'Theo 3 mức chính thức', en: 'On the three official levels' },
  tooFew: { vi: 'quá ít đánh giá', en: 'too few ratings' },
  tooFewSamples: { vi: 'quá ít mẫu', en: 'too few samples' },
  state_no_data: { vi: 'không có dữ liệu', en: 'no data' },
  state_too_few: { vi: 'quá ít mẫu', en: 'too few samples' },
  state_measured: { vi: 'đủ mẫu', en: 'enough samples' },
  state_good: { vi: 'đạt', en: 'meets the target' },
  state_bad: { vi: 'không đạt', en: 'misses the target' },
  intervalLow: { vi: 'cận dưới 95%', en: '95% low' },
  intervalHigh: { vi: 'cận trên 95%', en: '95% high' },
  figureState: { vi: 'trạng thái', en: 'state' },
  interval95: { vi: 'khoảng tin cậy 95%', en: '95% interval' },
  overdueNotFed: {
    vi: 'Chưa có nguồn dữ liệu hồ sơ quá hạn: tỷ lệ hồ sơ hài lòng chưa trừ hồ sơ quá hạn.',
    en: 'Overdue dossiers are not fed yet: the share of satisfied dossiers takes none off as overdue.',
  },
  overdueFedBy: { vi: 'Hồ sơ quá hạn lấy từ', en: 'Overdue dossiers from' },
  counters: { vi: 'Đánh giá theo quầy', en: 'Evaluation per counter' },
  method: { vi: 'Cách tính', en: 'How figures are computed' },
  methodIntro: {
    vi: 'Mỗi số liệu trên các trang và trong tệp CSV được tính bằng đúng các hàm dưới đây; phần giải thích và ví dụ được tạo từ cùng mã nguồn.',
    en: 'Every figure on the pages and in the CSV is computed by exactly the functions below; these explanations and the example come from the same code.',
  },
  formula: { vi: 'Công thức', en: 'Formula' },
  legalSource: { vi: 'Căn cứ', en: 'Legal source' },
  intervalMethod: { vi: 'Khoảng tin cậy', en: 'Interval' },
  colourRule: { vi: 'Tô màu', en: 'Colouring' },
  minSample: { vi: 'Cỡ mẫu tối thiểu', en: 'Minimum sample' },
  sampleOf: { vi: 'Mẫu', en: 'Sample' },
  levelMapping: {
    vi: 'Quy đổi mức đã bấm về 3 mức chính thức',
    en: 'Pressed levels on the three official levels',
  },
  scale: { vi: 'Thiết bị', en: 'Device' },
  pressedLevel: { vi: 'Mức đã bấm', en: 'Level pressed' },
  officialLevel: { vi: 'Mức chính thức', en: 'Official level' },
  indexPoints: { vi: 'Điểm chỉ số', en: 'Index points' },
  workedExample: { vi: 'Ví dụ tính toán', en: 'Worked example' },
  exampleInput: {
    vi: 'Một cán bộ trong một kỳ (số liệu giả định), trên hai loại bàn phím:',
    en: 'One officer in one period (made-up data), on two keypad models:',
  },
  exampleDossiers: { vi: 'Hồ sơ', en: 'Dossiers' },
  ratedUnsatisfied: { vi: 'Bị đánh giá không hài lòng', en: 'Rated unsatisfied' },
  complainedAbout: { vi: 'Bị phản ánh', en: 'Complained about' },
  overdue: { vi: 'Quá hạn', en: 'Overdue' },
  exampleCamera: { vi: 'Ước lượng của camera (0–1)', en: 'Camera estimates (0–1)' },
  result: { vi: 'Kết quả', en: 'Result' },
  figure: { vi: 'Số liệu', en: 'Figure' },
  scale_keypad3: { vi: 'Bàn phím 3 nút', en: '3-key keypad' },
  scale_keypad4: { vi: 'Bàn phím 4 nút', en: '4-key keypad' },
  scale_keypad5: { vi: 'Bàn phím 5 nút', en: '5-key keypad' },
  scale_stars5: { vi: 'Màn hình 5 sao', en: '5-star screen' },
  distribution: { vi: 'Phân bố mức đánh giá', en: 'Rating distribution' },
  cameraIndex: { vi: 'Chỉ số biểu cảm (camera, tách riêng)', en: 'Expression index (camera, shown apart)' },
  samples: { vi: 'mẫu', en: 'samples' },
  dossier: { vi: 'Mã hồ sơ', en: 'Dossier ID' },
  ticket: { vi: 'Số thứ tự', en: 'Queue ticket' },
  time: { vi: 'Thời gian', en: 'Time' },
  level: { vi: 'Mức', en: 'Level' },
  period: { vi: 'Khoảng thời gian', en: 'Period' },
  today: { vi: 'Hôm nay', en: 'Today' },
  period_day: { vi: 'Ngày', en: 'Day' },
  period_week: { vi: 'Tuần', en: 'Week' },
  period_month: { vi: 'Tháng', en: 'Month' },
  period_quarter: { vi: 'Quý', en: 'Quarter' },
  period_year: { vi: 'Năm', en: 'Year' },
  previousPeriod: { vi: 'Kỳ trước', en: 'Previous' },
  nextPeriod: { vi: 'Kỳ sau', en: 'Next' },
  fromDate: { vi: 'Từ ngày', en: 'From' },
  toDate: { vi: 'Đến ngày', en: 'To' },
  show: { vi: 'Xem', en: 'Show' },
  comparedWith: { vi: 'so với', en: 'compared with' },
  vsPrevious: {
    vi: 'So với kỳ trước (số đánh giá · tỷ lệ hài lòng)',
    en: 'vs previous period (ratings · satisfied share)',
  },
  percentPoints: { vi: 'điểm %', en: 'pts' },
  empty: { vi: 'Chưa có dữ liệu trong khoảng thời gian này.', en: 'No data in this period yet.' },
  visits: { vi: 'Lượt tiếp công dân', en: 'Visits' },
  unrated: { vi: 'Không đánh giá', en: 'Not rated' },
  status: { vi: 'Trạng thái', en: 'Status' },
  lastSeen: { vi: 'Lần cuối', en: 'Last seen' },
  device: { vi: 'Thiết bị', en: 'Device' },
  outbox: { vi: 'Hàng đợi', en: 'Outbox' },
  live: { vi: 'Trực tiếp', en: 'Live' },
  presence: { vi: 'Cán bộ làm việc tại quầy', en: 'Officers at the counters' },
  signedInAt: { vi: 'Đăng nhập', en: 'Signed in' },
  signedOutAt: { vi: 'Đăng xuất', en: 'Signed out' },
  stillSignedIn: { vi: 'Đang làm việc', en: 'Still signed in' },
  unsatisfiedList: {
    vi: 'Đánh giá không hài lòng và hồ sơ liên quan',
    en: 'Unsatisfied ratings and their dossiers',
  },
  byHour: { vi: 'Theo giờ trong ngày', en: 'By hour of day' },
  hour: { vi: 'Giờ', en: 'Hour' },
  reasons: { vi: 'Lý do', en: 'Reasons' },
  comments: { vi: 'Góp ý của người dân', en: "Citizens' comments" },
  unitName: { vi: 'Đơn vị', en: 'Unit' },
  online: { vi: 'Trực tuyến', en: 'Online' },
  offline: { vi: 'Mất kết nối', en: 'Offline' },
  stopped: { vi: 'Đã dừng', en: 'Stopped' },
  never_seen: { vi: 'Chưa kết nối', en: 'Never seen' },
  revoked: { vi: 'Đã thu hồi', en: 'Revoked' },
  signIn: { vi: 'Đăng nhập', en: 'Sign in' },
  signOut: { vi: 'Đăng xuất', en: 'Sign out' },
  username: { vi: 'Tên đăng nhập', en: 'Username' },
  password: { vi: 'Mật khẩu', en: 'Password' },
  badLogin: { vi: 'Sai tên đăng nhập hoặc mật khẩu.', en: 'Wrong username or password.' },
  tooManyLogins: {
    vi: 'Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.',
    en: 'Too many failed sign-ins. Please try again in a few minutes.',
  },
  linkExpired: {
    vi: 'Liên kết đăng nhập đã hết hạn hoặc đã được dùng.',
    en: 'This sign-in link has expired or was already used.',
  },
  continueSignIn: { vi: 'Tiếp tục đăng nhập', en: 'Continue signing in' },
  myUnit: { vi: 'Đơn vị của tôi', en: 'My unit' },
  cameraSamples: { vi: 'Số mẫu camera', en: 'Camera samples' },
  downloadCsv: { vi: 'Tải CSV', en: 'Download CSV' },
  commands: { vi: 'Lệnh điều khiển thiết bị', en: 'Device commands' },
  cmd_restart: { vi: 'Khởi động lại', en: 'Restart' },
  'cmd_reload-config': { vi: 'Đọc lại tệp cấu hình', en: 'Reload config file' },
  'cmd_self-test': { vi: 'Tự kiểm tra', en: 'Self-test' },
  'cmd_retry-dead-letters': { vi: 'Gửi lại sự kiện bị từ chối', en: 'Retry refused events' },
  commandQueued: {
    vi: 'Đã xếp lệnh, thiết bị nhận trong vài giây',
    en: 'Queued; the device gets it within seconds',
  },
  cmdQueued: { vi: 'Đang chờ thiết bị', en: 'Waiting for the device' },
  cmdSent: { vi: 'Đã gửi', en: 'Sent' },
  cmdOk: { vi: 'Thành công', en: 'Done' },
  cmdFailed: { vi: 'Thất bại', en: 'Failed' },
  cmdExpired: { vi: 'Hết hạn (thiết bị không kết nối)', en: 'Expired (device away)' },
  audit: { vi: 'Nhật ký quản trị', en: 'Admin audit log' },
  actor: { vi: 'Người thực hiện', en: 'Actor' },
  action: { vi: 'Thao tác', en: 'Action' },
  target: { vi: 'Đối tượng', en: 'Target' },
  myRecord: { vi: 'Kết quả của tôi', en: 'My record' },
  roster: { vi: 'Danh sách cán bộ tại quầy', en: 'Counter officers roster' },
  officerId: { vi: 'Mã cán bộ', en: 'Officer ID' },
  badge: { vi: 'Mã thẻ', en: 'Badge' },
  retire: { vi: 'Thôi làm việc', en: 'Retire' },
  retireConfirm: { vi: 'Đưa ra khỏi danh sách:', en: 'Take off the roster:' },
  save: { vi: 'Lưu', en: 'Save' },
  addOrUpdateOfficer: { vi: 'Thêm hoặc sửa cán bộ', en: 'Add or update an officer' },
  rosterOnFile: {
    vi: 'Số quầy còn chạy cấu hình trong tệp của thiết bị (chưa nhận danh sách; hãy lưu cấu hình quầy cho chúng)',
    en: "Counters still on their own file's settings (not sent the roster; save their settings first)",
  },
  savedOfficer: { vi: 'Đã lưu và gửi xuống các quầy', en: 'Saved and sent to the counters' },
  rosterNote: {
    vi: 'Tên và mã thẻ được gửi xuống màn hình và đầu đọc thẻ của các quầy trong đơn vị. Lịch sử đánh giá của cán bộ thôi làm việc vẫn được giữ.',
    en: "Names and badges go to the unit's counter screens and badge readers. A retired officer's rating history is kept.",
  },
  configVersion: { vi: 'Phiên bản cấu hình', en: 'Config version' },
  desired: { vi: 'mong muốn', en: 'desired' },
  applied: { vi: 'đã áp dụng', en: 'applied' },
  settings: { vi: 'Cấu hình quầy', en: 'Counter settings' },
  saveSettings: { vi: 'Lưu và gửi xuống thiết bị', en: 'Save and send to the device' },
  settingsHelp: {
    vi: 'JSON theo lược đồ CounterSettings; trường bỏ trống lấy giá trị mặc định. Thiết bị nhận trong vài giây.',
    en: 'JSON per the CounterSettings schema; omitted fields take their defaults. The device gets it within seconds.',
  },
  savedVersion: { vi: 'Đã lưu, phiên bản', en: 'Saved as version' },
  openAlerts: { vi: 'Cảnh báo thiết bị đang mở', en: 'Open device alerts' },
  noAlerts: { vi: 'Không có cảnh báo.', en: 'No alerts.' },
  since: { vi: 'Từ lúc', en: 'Since' },
  detail: { vi: 'Chi tiết', en: 'Detail' },
  alert_offline: { vi: 'Mất kết nối đột ngột', en: 'Dropped off the network' },
  alert_outbox_filling: { vi: 'Hàng đợi sắp đầy', en: 'Outbox filling up' },
  alert_dead_letters: { vi: 'Sự kiện bị máy chủ từ chối', en: 'Events refused by the server' },
  alert_camera_error: { vi: 'Lỗi camera', en: 'Camera failing' },
  alert_usb_device_missing: { vi: 'Thiết bị USB không hoạt động', en: 'USB device missing' },
  alert_overheating: { vi: 'Nhiệt độ CPU cao', en: 'CPU running hot' },
  alert_clock_skew: { vi: 'Đồng hồ thiết bị sai lệch', en: 'Device clock off' },
  alert_quarantined_events: { vi: 'Sự kiện bị cách ly', en: 'Events quarantined' },
  quarantined: { vi: 'Bị cách ly', en: 'Quarantined' },
  quarantinedEvents: {
    vi: 'Sự kiện bị cách ly (không xác định được thời điểm)',
    en: 'Quarantined events (their time cannot be placed)',
  },
  quarantineNote: {
    vi: 'Đồng hồ của thiết bị không đáng tin và không đối chiếu được với thời điểm khởi động, nên các sự kiện này được lưu lại nhưng không được tính vào bất kỳ báo cáo nào. Hãy kiểm tra đồng hồ của thiết bị (NTP, pin RTC).',
    en: "The device's clock could not be trusted nor checked against its boot, so these events are kept but counted in no report. Check the device's clock (NTP, RTC battery).",
  },
  noQuarantine: { vi: 'Không có sự kiện bị cách ly.', en: 'No quarantined events.' },
  eventType: { vi: 'Loại sự kiện', en: 'Event type' },
  deviceClaimed: { vi: 'Giờ theo đồng hồ thiết bị', en: 'Time by the device clock' },
  receivedAt: { vi: 'Máy chủ nhận lúc', en: 'Received at' },
  event_rating: { vi: 'Đánh giá', en: 'Rating' },
  event_visit: { vi: 'Lượt tiếp công dân', en: 'Visit' },
  event_presence: { vi: 'Đăng nhập / đăng xuất, có mặt', en: 'Sign-in / sign-out, seat' },
  event_expression: { vi: 'Biểu cảm (camera)', en: 'Expression (camera)' },
  fairnessNote: {
    vi: 'Một đánh giá chỉ được tính cho cán bộ đang đăng nhập tại quầy vào thời điểm đó. Chỉ số biểu cảm do camera ước lượng được hiển thị riêng, kèm số mẫu và khoảng tin cậy 95%. Số liệu từ quá ít đánh giá hiển thị mờ và không tô màu tốt hay xấu.',
    en: 'A rating counts for an officer only when that officer was signed in at that counter at that time. The camera expression index is shown apart, with its sample size and 95% confidence interval. A figure from too few ratings is greyed and never coloured good or bad.',
  },
} as const satisfies Record<string, Record<Lang, string>>;

export type MessageKey = keyof typeof MESSAGES;
export type Translate = (key: MessageKey) => string;

export function translator(lang: Lang): Translate {
  return (key) => MESSAGES[key][lang];
}

export function levelLabel(lang: Lang, scale: string, level: number): string {
  const labels = (LEVEL_LABELS as Record<string, Record<number, { vi: string; en: string }>>)[scale];
  return labels?.[level]?.[lang] ?? `${scale} ${level}`;
}

export function scaleName(lang: Lang, scale: RatingScale): string {
  return MESSAGES[`scale_${scale}`][lang];
}

/** "Bàn phím 4 nút: Hài lòng": where levels of two scales meet, the same words differ in meaning. */
export function scaledLevelLabel(lang: Lang, scale: RatingScale, level: number): string {
  return `${scaleName(lang, scale)}: ${levelLabel(lang, scale, level)}`;
}

export function scaleLevels(scale: RatingScale): number[] {
  return Object.keys(LEVEL_LABELS[scale])
    .map(Number)
    .sort((a, b) => b - a);
}

/** `?lang=` wins, then the cookie; Vietnamese by default. */
export function pickLang(query: string | undefined, cookie: string | undefined): Lang {
  if (query === 'en' || query === 'vi') return query;
  return cookie === 'en' ? 'en' : 'vi';
}
