import { asLang, type Lang, LEVEL_LABELS, type RatingScale, reasonLabel } from '@onestop/protocol';
import { CONSOLE_MESSAGES } from './devices/console/messages.js';
import { RELEASE_MESSAGES } from './devices/releases/messages.js';
import { USER_MESSAGES } from './users/messages.js';

export type { Lang };

const MESSAGES = {
  ...CONSOLE_MESSAGES,
  ...RELEASE_MESSAGES,
  title: { vi: 'Giám sát quầy giao dịch một cửa', en: 'One-stop counter monitoring' },
  /** The public pages' heading: they speak to citizens, not about monitoring. */
  citizenTitle: { vi: 'Góp ý về dịch vụ hành chính công', en: 'Comments on public administrative services' },
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
  commentComplaint: { vi: 'Góp ý / Phản ánh', en: 'Complaint' },
  commentPraise: { vi: 'Khen', en: 'Praise' },
  commentReference: { vi: 'Mã số', en: 'Reference' },
  search: { vi: 'Tìm', en: 'Find' },
  allComments: { vi: 'Tất cả góp ý', en: 'All comments' },
  commentStateFilter: { vi: 'Lọc theo trạng thái', en: 'Filter by state' },
  commentContact: { vi: 'Liên hệ của người dân', en: "Citizen's contact" },
  commentFollowUp: { vi: 'Xử lý', en: 'Follow-up' },
  commentStatus_new: { vi: 'Mới', en: 'New' },
  commentStatus_handled: { vi: 'Đã xử lý', en: 'Handled' },
  commentStatus_replied: { vi: 'Đã trả lời', en: 'Replied' },
  commentMarkHandled: { vi: 'Đánh dấu đã xử lý', en: 'Mark handled' },
  commentMarkReplied: { vi: 'Lưu trả lời', en: 'Save reply' },
  commentReplyText: { vi: 'Nội dung đã trả lời người dân', en: 'What was answered to the citizen' },
  commentReplyNeeded: { vi: 'Hãy ghi nội dung đã trả lời.', en: 'Write what was answered.' },
  commentNotAllowed: {
    vi: 'Góp ý này đã được xử lý ở bước sau; không thể chuyển lại.',
    en: 'This comment has already moved past that step; it cannot go back.',
  },
  commentSearch: { vi: 'Tìm theo mã số góp ý', en: 'Find by comment reference' },
  commentSearchNone: {
    vi: 'Không có góp ý nào của đơn vị mang mã số này.',
    en: 'No comment of this unit has that reference.',
  },
  newCommentsBadge: { vi: 'góp ý mới', en: 'new comments' },
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
  addDevice: { vi: 'Thêm thiết bị', en: 'Add device' },
  addDeviceHelp: {
    vi: 'Tạo thiết bị cho một quầy và một mã ghép nối dùng một lần. Trên thiết bị, kỹ thuật viên nhập mã (hoặc quét mã QR): thiết bị tự nhận tài khoản và cấu hình, không cần sửa tệp.',
    en: 'Creates a device for a counter and a one-time pairing code. On the board the technician enters the code (or scans the QR code): the board receives its account and settings, no file to edit.',
  },
  deviceIdOptional: { vi: 'Mã thiết bị (để trống: tự tạo)', en: 'Device ID (blank: generated)' },
  pairingMinutes: { vi: 'Mã có hiệu lực (phút)', en: 'Code valid for (minutes)' },
  issuePairingCode: { vi: 'Tạo thiết bị và mã ghép nối', en: 'Create the device and a pairing code' },
  pairingCode: { vi: 'Mã ghép nối thiết bị', en: 'Device pairing code' },
  pairingExpires: { vi: 'Hết hạn lúc', en: 'Expires at' },
  pairingOnce: {
    vi: 'Mã chỉ dùng được một lần và chỉ hiện trên trang này.',
    en: 'The code works once and is shown on this page only.',
  },
  pairingQr: {
    vi: 'Quét bằng điện thoại hoặc máy quét của thiết bị',
    en: "Scan with a phone or the board's scanner",
  },
  pairingOnBoard: { vi: 'Trên thiết bị tại quầy, chạy:', en: 'On the counter board, run:' },
  pairingPasswordNote: {
    vi: 'Mật khẩu của thiết bị được tạo khi thiết bị nhận mã và chỉ gửi cho thiết bị; trang này không bao giờ hiện mật khẩu.',
    en: 'The device password is generated when the board claims the code and sent to the board only; it is never shown here.',
  },
  pairAgain: { vi: 'Mã ghép nối mới cho thiết bị đã có', en: 'A new pairing code for an existing device' },
  pairAgainHelp: {
    vi: 'Khi mã cũ hết hạn, hoặc khi cài lại thiết bị (thẻ nhớ mới). Mã cũ chưa dùng hết hiệu lực ngay; khi mã mới được nhận, thiết bị đang dùng mật khẩu cũ sẽ bị từ chối.',
    en: 'When the code ran out, or the board is set up again (a new SD card). Unused earlier codes stop working at once; once the new code is claimed, a board still using the old password is refused.',
  },
  issuePairingCodeAgain: { vi: 'Tạo mã mới', en: 'Issue a new code' },
  pairingNoDevice: { vi: 'Không có thiết bị đang hoạt động với mã này', en: 'No active device with this ID' },
  pairingUnknownUnit: { vi: 'Không có đơn vị này', en: 'No such unit' },
  pairingBadCounter: {
    vi: 'Mã quầy gồm chữ thường, chữ số và dấu gạch ngang (tối đa 64 ký tự), ví dụ q01',
    en: 'A counter ID is lower-case letters, digits and dashes (64 at most), e.g. q01',
  },
  pairingBadDeviceId: {
    vi: 'Mã thiết bị gồm chữ thường, chữ số và dấu gạch ngang (tối đa 64 ký tự)',
    en: 'A device ID is lower-case letters, digits and dashes (64 at most)',
  },
  pairingBadMinutes: { vi: 'Số phút từ 1 đến 1440', en: 'Minutes from 1 to 1440' },
  pairingDeviceExists: { vi: 'Đã có thiết bị với mã này', en: 'A device with this ID exists already' },
  pairingBadCode: {
    vi: 'Đây không phải mã ghép nối: 8 chữ và số, ví dụ ABCD-EFGH',
    en: 'That is not a pairing code: 8 letters and digits, like ABCD-EFGH',
  },
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
  badgeNotYours: {
    vi: 'Chỉ lãnh đạo đơn vị được đặt mã thẻ của cán bộ.',
    en: "Only the unit's leader may set an officer's badge.",
  },
  badgeTaken: {
    vi: 'Mã thẻ của cán bộ này đã được dùng cho một cán bộ khác trong đơn vị: lãnh đạo đơn vị cần sửa.',
    en: "This officer's badge is already used by another officer of the unit: the unit's leader must fix it.",
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
  alert_not_drained: {
    vi: 'Bo mạch cũ bị thu hồi khi còn sự kiện chưa gửi',
    en: 'Replaced board revoked with events still queued',
  },
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
  // What counts for nobody, and why (dashboard/src/judgement): reason codes of @onestop/evaluation.
  uncountedTitle: { vi: 'Đánh giá không được tính cho cán bộ', en: 'Ratings counted for no officer' },
  counted: { vi: 'Được tính', en: 'Counted' },
  unverified: { vi: 'Chưa xác minh', en: 'Unverified' },
  filtered: { vi: 'Bị lọc', en: 'Filtered' },
  notCounted: { vi: 'Không tính cho cán bộ', en: 'Counted for no officer' },
  notJudgedYet: { vi: 'Chưa được xét', en: 'Not judged yet' },
  notOnUnitRoster: { vi: 'không có trong danh sách cán bộ của đơn vị', en: "not on this unit's roster" },
  claimedUnplaced: { vi: 'giờ thiết bị ghi, không xác định được', en: 'device clock, not placed' },
  total: { vi: 'Tổng', en: 'Total' },
  uncountedNote: {
    vi: 'Đánh giá chưa xác minh (máy chủ không thấy cán bộ được ghi đang đăng nhập tại quầy) và đánh giá bị lọc (bấm bất thường) được lưu và liệt kê nhưng không tính cho cán bộ nào. Đánh giá bị cách ly không xác định được thời điểm, được đếm theo lúc máy chủ nhận và liệt kê ở trang thiết bị.',
    en: 'Unverified ratings (the centre did not see the named officer signed in at the counter) and filtered ones (misuse) are kept and listed but counted for no officer. Quarantined ratings have no time that can be defended; they are counted by when the centre received them and listed on the devices page.',
  },
  uncountedList: { vi: 'Đánh giá không được tính', en: 'Ratings not counted' },
  allCounters: { vi: 'Tất cả các quầy', en: 'All counters' },
  bothKinds: { vi: 'Cả hai loại', en: 'Both kinds' },
  namedOfficer: { vi: 'Cán bộ do thiết bị ghi', en: 'Officer named by the device' },
  whyUncounted: { vi: 'Lý do không được tính', en: 'Why not counted' },
  shownOf: { vi: 'Đang hiện {from}–{to} trong tổng số {total}', en: 'Showing {from}–{to} of {total}' },
  pageBeyond: {
    vi: 'Trang này không còn mục nào (tổng số {total}).',
    en: 'Nothing on this page ({total} in all).',
  },
  pagePrevious: { vi: '‹ Trang trước', en: '‹ Previous page' },
  pageNext: { vi: 'Trang sau ›', en: 'Next page ›' },
  searchLabel: { vi: 'Mã hồ sơ hoặc số thứ tự', en: 'Dossier ID or queue ticket' },
  searchTitle: { vi: 'Tìm theo mã hồ sơ hoặc số thứ tự', en: 'Search by dossier ID or queue ticket' },
  searchScopeUnit: { vi: 'Trong đơn vị của bạn', en: 'Within your unit' },
  searchScopeCity: { vi: 'Trong tất cả các đơn vị', en: 'Across all units' },
  searchNothing: {
    vi: 'Không có đánh giá, lượt tiếp hay góp ý nào mang mã «{q}».',
    en: 'No rating, visit or comment carries «{q}».',
  },
  searchRatings: { vi: 'Đánh giá', en: 'Ratings' },
  searchVisits: { vi: 'Lượt tiếp công dân', en: 'Visits' },
  searchComments: { vi: 'Góp ý', en: 'Comments' },
  unitColumn: { vi: 'Đơn vị', en: 'Unit' },
  visitStarted: { vi: 'Bắt đầu', en: 'Started' },
  visitEnded: { vi: 'Kết thúc', en: 'Ended' },
  visitRated: { vi: 'Đã đánh giá', en: 'Rated' },
  yes: { vi: 'Có', en: 'Yes' },
  no: { vi: 'Không', en: 'No' },
  backToUnit: { vi: '← Về trang đơn vị', en: '← Back to the unit' },
  attribution_no_officer: { vi: 'Thiết bị không ghi cán bộ nào', en: 'The device named no officer' },
  attribution_unknown_officer: { vi: 'Cán bộ không có trong danh sách nào', en: 'Officer on no roster' },
  attribution_not_on_roster: {
    vi: 'Cán bộ không thuộc đơn vị hoặc đã thôi làm việc',
    en: "Officer not on this unit's roster, or retired",
  },
  attribution_signed_in_elsewhere: {
    vi: 'Cán bộ đã đăng nhập ở quầy khác',
    en: 'Officer signed in at another counter',
  },
  attribution_after_sign_out: { vi: 'Sau khi cán bộ đã đăng xuất', en: 'After the officer signed out' },
  attribution_not_signed_in: {
    vi: 'Cán bộ không đăng nhập tại quầy lúc đó',
    en: 'Officer not signed in at this counter then',
  },
  filter_outside_hours: { vi: 'Ngoài giờ làm việc', en: 'Outside opening hours' },
  filter_nobody_at_counter: { vi: 'Không có ai tại quầy', en: 'Nobody at the counter' },
  filter_rapid_repeat: { vi: 'Bấm lặp lại quá nhanh', en: 'Rapid repeat press' },
  filter_repeat_in_visit: { vi: 'Bấm lại trong cùng lượt tiếp', en: 'Repeat press in the same visit' },
  filter_burst_without_visit: {
    vi: 'Bấm dồn dập, không có lượt tiếp công dân',
    en: 'Burst of presses with no visit',
  },
  // Cách tính: the judgement in words, thresholds filled in from the unit's settings.
  attributionTitle: {
    vi: 'Khi nào một đánh giá được tính cho cán bộ',
    en: 'When a rating counts for an officer',
  },
  attributionIntro: {
    vi: 'Máy chủ tự kiểm tra, không dựa vào lời của thiết bị: một đánh giá chỉ được tính cho cán bộ mà thiết bị ghi khi cán bộ đó có trong danh sách cán bộ của đơn vị (chưa thôi làm việc) và đang đăng nhập tại chính thiết bị đó vào thời điểm đánh giá. Nếu không, đánh giá là "chưa xác minh" với lý do đầu tiên đúng theo thứ tự dưới đây: được lưu và hiển thị cho lãnh đạo, không tính cho cán bộ nào. Thông tin đăng nhập đến muộn (thiết bị gửi lại sau khi mất mạng) sẽ xác minh lại các đánh giá liên quan.',
    en: 'The centre checks this itself, never on the device\'s word: a rating counts for the officer the device names only if that officer is on the unit\'s roster (not retired) and signed in at that very device at the moment of the rating. Otherwise the rating is "unverified", with the first reason below that holds: kept and shown to leaders, counted for no officer. A sign-in that arrives late (replayed after lost network) verifies the ratings it covers again.',
  },
  attributionRule_no_officer: { vi: 'Thiết bị không ghi cán bộ nào.', en: 'The device named no officer.' },
  attributionRule_unknown_officer: {
    vi: 'Mã cán bộ không có trong danh sách cán bộ của đơn vị nào.',
    en: "The officer ID is on no unit's roster.",
  },
  attributionRule_not_on_roster: {
    vi: 'Cán bộ thuộc đơn vị khác, hoặc đã thôi làm việc trước thời điểm đánh giá.',
    en: 'The officer belongs to another unit, or had retired before the rating.',
  },
  attributionRule_signed_in_elsewhere: {
    vi: 'Cán bộ có phiên đăng nhập tại thiết bị này, nhưng sau khi phiên đó bắt đầu và trước thời điểm đánh giá, cán bộ đã đăng nhập tại một quầy khác của đơn vị: mỗi lúc cán bộ chỉ ở một quầy, lần đăng nhập mới nhất được tin (đăng nhập lại tại quầy này để được tính tiếp). Hai lần đăng nhập ở hai quầy cùng một thời điểm: không quầy nào được tính.',
    en: 'A session of the officer on this device covers the rating, but since it began, and before the rating, the officer signed in at another counter of the unit: an officer is at one counter at a time and the latest sign-in is believed (signing in here again counts here again). Two sign-ins at two counters at the same instant: neither counter is credited.',
  },
  attributionRule_after_sign_out: {
    vi: 'Phiên đăng nhập gần nhất tại thiết bị này trước thời điểm đánh giá là của cán bộ đó và đã kết thúc: cán bộ đã đăng xuất và chưa ai đăng nhập lại.',
    en: "The latest session on this device before the rating was that officer's and had ended: they signed out and nobody signed in there since.",
  },
  attributionRule_not_signed_in: {
    vi: 'Vào thời điểm đó, một cán bộ khác đang đăng nhập tại thiết bị này, hoặc chưa có ai đăng nhập.',
    en: 'Someone else was signed in at this device then, or nobody had been.',
  },
  filtersTitle: { vi: 'Lọc bấm bất thường', en: 'Misuse filters' },
  filtersIntro: {
    vi: 'Như cách HappyOrNot làm: các lần bấm dưới đây bị đánh dấu "bị lọc" khi máy chủ nhận; chúng được lưu, đếm và hiển thị là bị lọc, không bao giờ bị xoá và không bao giờ tính cho cán bộ. Mỗi quy tắc chỉ xét dữ kiện gốc (thời điểm, việc có mặt, sự tồn tại của các lần bấm khác), nên kết quả không phụ thuộc thứ tự các sự kiện đến. Khi nhiều quy tắc cùng đúng, quy tắc đứng trước được ghi.',
    en: 'As HappyOrNot does it: the presses below are marked "filtered" when the centre receives them; they are kept, counted and shown as filtered, never dropped and never in an officer\'s figures. Each rule looks only at raw facts (times, presence, whether other presses exist), so the outcome does not depend on the order events arrive in. When several hold, the first below is recorded.',
  },
  thresholdsOf: { vi: 'Ngưỡng hiện tại của', en: 'Current thresholds of' },
  thresholdsDefault: {
    vi: 'Ngưỡng mặc định (mỗi đơn vị có thể thay đổi trong cấu hình đánh giá của mình)',
    en: 'Default thresholds (each unit can change them in its evaluation settings)',
  },
  filterRule_outside_hours: {
    vi: 'Bấm ngoài giờ làm việc của đơn vị trong ngày đó (giờ Việt Nam, từ giờ mở cửa đến trước giờ đóng cửa):',
    en: "Pressed outside the unit's opening hours for that weekday (Vietnam time, from opening until before closing):",
  },
  filterRule_nobody_at_counter: {
    vi: 'Bấm khi không có lượt tiếp công dân, không có cán bộ đăng nhập và không có ai ngồi tại quầy. Một lần bấm chỉ thuộc một lượt tiếp khi máy chủ đã nhận lượt tiếp đó từ chính thiết bị ấy và lần bấm nằm trong khoảng từ lúc bắt đầu lượt tiếp đến {after} sau khi lượt tiếp kết thúc; mã lượt tiếp mà máy chủ không thấy được coi như không có lượt tiếp.',
    en: 'Pressed with no visit, no officer signed in and nobody seated at the counter. A press belongs to a visit only if the centre has received that visit from the same device and the press lies between the start of the visit and {after} after its end; a visit ID the centre cannot see counts as no visit.',
  },
  filterRule_repeat_in_visit: {
    vi: 'Một lần bấm trước đó trên cùng thiết bị đã ghi cùng lượt tiếp: mỗi công dân một đánh giá, chỉ lần bấm đầu tiên của lượt tiếp được tính.',
    en: 'An earlier press on the same device named the same visit: one citizen, one rating; only the first press of a visit counts.',
  },
  filterRule_rapid_repeat: {
    vi: 'Bấm chưa đầy {seconds} giây sau một lần bấm trước trên cùng thiết bị.',
    en: 'Pressed less than {seconds} seconds after an earlier press on the same device.',
  },
  filterRule_burst_without_visit: {
    vi: 'Bấm không có lượt tiếp công dân, khi tính cả lần này thiết bị có hơn {max} lần bấm không có lượt tiếp trong {minutes} phút vừa qua.',
    en: 'Pressed with no visit when, counting this one, the device has more than {max} presses with no visit in the last {minutes} minutes.',
  },
  ruleOff: { vi: 'Quy tắc này đang tắt.', en: 'This rule is turned off.' },
  closedAllDay: { vi: 'Nghỉ cả ngày', en: 'Closed all day' },
  weekday: { vi: 'Ngày', en: 'Day' },
  weekday_mon: { vi: 'Thứ Hai', en: 'Monday' },
  weekday_tue: { vi: 'Thứ Ba', en: 'Tuesday' },
  weekday_wed: { vi: 'Thứ Tư', en: 'Wednesday' },
  weekday_thu: { vi: 'Thứ Năm', en: 'Thursday' },
  weekday_fri: { vi: 'Thứ Sáu', en: 'Friday' },
  weekday_sat: { vi: 'Thứ Bảy', en: 'Saturday' },
  weekday_sun: { vi: 'Chủ Nhật', en: 'Sunday' },
  timeTitle: { vi: 'Thời điểm của một đánh giá', en: 'When a rating happened' },
  timeIntro: {
    vi: 'Đồng hồ của thiết bị có thể sai sau khi mất điện (về năm 1970, pin đồng hồ hết, lệch nhiều năm). Mỗi sự kiện còn mang số đo của đồng hồ đơn điệu tính từ lúc phần mềm khởi động, không bao giờ nhảy; từ lúc nhận các sự kiện, máy chủ biết lần khởi động bắt đầu muộn nhất lúc nào.',
    en: "A device's clock can be wrong after a power cut (back to 1970, a flat clock battery, years off). Every event also carries the monotonic clock since the software started (the boot), which never jumps; from when it receives the events, the centre knows when the boot began at the latest.",
  },
  timeDevice: {
    vi: 'Giờ của thiết bị được tin khi lệch không quá {tolerance} so với thời điểm khởi động cộng đồng hồ đơn điệu.',
    en: "The device clock is believed when it agrees with the boot's start plus the monotonic clock within {tolerance}.",
  },
  timeRebased: {
    vi: 'Nếu lệch hơn, thời điểm được tính lại: thời điểm khởi động cộng đồng hồ đơn điệu.',
    en: "Otherwise the time is re-based: the boot's start plus the monotonic clock.",
  },
  timeQuarantined: {
    vi: 'Nếu không thể (sự kiện gửi lại từ một lần khởi động máy chủ chưa từng thấy trực tiếp, mang giờ trước lúc cấp phát thiết bị hoặc sau lúc máy chủ nhận, lệch quá {tolerance}), sự kiện bị cách ly: được lưu, không tính vào báo cáo nào, hiển thị cho kỹ thuật viên và có cảnh báo.',
    en: 'If neither is possible (a replay from a boot the centre never saw live, dated before the device was provisioned or after it was received, by more than {tolerance}), the event is quarantined: kept, counted in no report, shown to technicians and alerted.',
  },
  timeBounds: {
    vi: 'Thời điểm được xác định luôn nằm giữa lúc cấp phát thiết bị và lúc máy chủ nhận sự kiện. Các báo cáo dùng thời điểm này, không dùng giờ của thiết bị.',
    en: "A placed time always lies between the device's provisioning and the event's receipt. Reports use this time, never the device's claim.",
  },
  unitSeconds: { vi: 'giây', en: 'seconds' },
  unitMinutes: { vi: 'phút', en: 'minutes' },
  // The unit's evaluation settings page.
  unitSettings: { vi: 'Cấu hình đánh giá', en: 'Evaluation settings' },
  openingHours: { vi: 'Giờ làm việc (giờ Việt Nam)', en: 'Opening hours (Vietnam time)' },
  opens: { vi: 'Mở cửa', en: 'Opens' },
  closes: { vi: 'Đóng cửa', en: 'Closes' },
  defaultValue: { vi: 'Mặc định', en: 'Default' },
  rapidRepeatSeconds: {
    vi: 'Bấm lặp lại: khoảng cách tối thiểu giữa hai lần bấm (giây; 0 = tắt)',
    en: 'Rapid repeat: shortest gap between two presses (seconds; 0 = off)',
  },
  burstMaxPresses: {
    vi: 'Bấm dồn dập: số lần bấm không có lượt tiếp tối đa',
    en: 'Burst: most presses with no visit',
  },
  burstWindowMinutes: {
    vi: 'Bấm dồn dập: trong khoảng (phút; 0 = tắt)',
    en: 'Burst: within (minutes; 0 = off)',
  },
  saveUnitSettings: { vi: 'Lưu cấu hình', en: 'Save settings' },
  settingsSaved: {
    vi: 'Đã lưu. Cấu hình mới được dùng để xét các đánh giá nhận được từ bây giờ.',
    en: 'Saved. The new settings judge the ratings received from now on.',
  },
  settingsInvalid: { vi: 'Chưa lưu: cấu hình không hợp lệ.', en: 'Not saved: the settings are not valid.' },
  settingsNoRejudge: {
    vi: 'Thay đổi cấu hình không xét lại các đánh giá đã nhận: kết quả đã ghi (được tính, chưa xác minh, bị lọc) giữ nguyên, trừ khi một sự kiện đến muộn của cùng thiết bị khiến máy chủ xét lại các đánh giá gần nó.',
    en: 'Changing the settings does not judge received ratings again: verdicts already stored (counted, unverified, filtered) stand, unless a late event from the same device makes the centre judge the ratings near it again.',
  },
  settingsHelpUnit: {
    vi: 'Để trống một ô để dùng giá trị mặc định. Lãnh đạo đơn vị và thành phố có thể thay đổi; mỗi thay đổi được ghi vào nhật ký quản trị.',
    en: "Leave a field empty for its default. The unit's leaders and the city may change these; every change goes to the audit log.",
  },
  seeMethod: { vi: 'Xem cách xét', en: 'How ratings are judged' },
  issueClock: {
    vi: 'phải là giờ dạng HH:MM, từ 00:00 đến 24:00',
    en: 'must be a time written HH:MM, from 00:00 to 24:00',
  },
  issueCloseAfterOpen: {
    vi: 'giờ đóng cửa phải sau giờ mở cửa',
    en: 'closing time must be after opening time',
  },
  issueWhole: { vi: 'phải là một số nguyên', en: 'must be a whole number' },
  issueMin: { vi: 'nhỏ nhất là {n}', en: 'must be at least {n}' },
  issueMax: { vi: 'lớn nhất là {n}', en: 'must be at most {n}' },
  fairnessNote: {
    vi: 'Một đánh giá chỉ được tính cho cán bộ đang đăng nhập tại quầy vào thời điểm đó. Chỉ số biểu cảm do camera ước lượng được hiển thị riêng, kèm số mẫu và khoảng tin cậy 95%. Số liệu từ quá ít đánh giá hiển thị mờ và không tô màu tốt hay xấu.',
    en: 'A rating counts for an officer only when that officer was signed in at that counter at that time. The camera expression index is shown apart, with its sample size and 95% confidence interval. A figure from too few ratings is greyed and never coloured good or bad.',
  },
  // Error pages: a plain explanation and the way back, never a stack or raw JSON.
  // The citizens' comment form (/comment, opened from the counter's QR code).
  commentFormHeading: { vi: 'Góp ý gửi lãnh đạo phường, xã', en: 'Comment to the ward leaders' },
  commentFormKind: { vi: 'Ông/bà muốn', en: 'You wish to' },
  commentKind_complaint: { vi: 'Góp ý / Phản ánh', en: 'Suggest or complain' },
  commentKind_praise: { vi: 'Khen', en: 'Praise' },
  commentFormBody: { vi: 'Nội dung góp ý', en: 'Your comment' },
  commentFormContact: { vi: 'Số điện thoại hoặc email (không bắt buộc)', en: 'Phone or email (optional)' },
  commentFormSend: { vi: 'Gửi góp ý', en: 'Send' },
  commentFormOfficer: { vi: 'Cán bộ', en: 'Officer' },
  commentFormDossier: { vi: 'Hồ sơ', en: 'Dossier' },
  commentCodeTitle: { vi: 'Không gửi được góp ý bằng mã này', en: 'This code cannot be used for a comment' },
  commentCodeInvalid: {
    vi: 'Mã QR này không đúng. Xin quét lại mã trên màn hình tại quầy, hoặc gửi góp ý chung cho đơn vị.',
    en: 'This QR code is not valid. Scan the code on the counter screen again, or send a general comment to the unit.',
  },
  commentCodeExpired: {
    vi: 'Mã QR này đã hết hạn (mỗi mã dùng được trong 7 ngày). Ông/bà vẫn có thể gửi góp ý chung cho đơn vị.',
    en: 'This QR code has expired (each code works for 7 days). You can still send a general comment to the unit.',
  },
  commentCodeWithdrawn: {
    vi: 'Thiết bị tại quầy này đã được thay hoặc thu hồi, nên mã của nó không còn dùng được. Ông/bà vẫn có thể gửi góp ý chung cho đơn vị.',
    en: "This counter's device was replaced or withdrawn, so its codes no longer work. You can still send a general comment to the unit.",
  },
  commentCodeNeeded: {
    vi: 'Góp ý về một quầy, cán bộ hoặc hồ sơ cần mã QR hiện trên màn hình tại quầy sau lượt phục vụ. Ông/bà vẫn có thể gửi góp ý chung cho đơn vị.',
    en: 'A comment about a counter, officer or dossier needs the QR code shown on the counter screen after your visit. You can still send a general comment to the unit.',
  },
  commentCodeUsed: {
    vi: 'Mã QR của lượt phục vụ này đã được dùng đủ số lần cho phép. Ông/bà vẫn có thể gửi góp ý chung cho đơn vị.',
    en: "This visit's QR code has been used as many times as it allows. You can still send a general comment to the unit.",
  },
  commentGeneralForm: { vi: 'Gửi góp ý chung cho đơn vị', en: 'Send a general comment to the unit' },
  commentFormContactUse: {
    vi: 'Chỉ lãnh đạo đơn vị xem được, và chỉ dùng để trả lời ông/bà về góp ý này.',
    en: "Seen only by the unit's leaders, and used only to answer you about this comment.",
  },
  commentStatusHeading: { vi: 'Tra cứu góp ý đã gửi', en: 'Check a comment you sent' },
  commentStatusLook: { vi: 'Tra cứu', en: 'Look up' },
  commentStatusSent: { vi: 'gửi ngày', en: 'sent on' },
  commentStatusMoved: { vi: 'cập nhật ngày', en: 'updated on' },
  commentStatusNone: {
    vi: 'Không tìm thấy góp ý có mã số này. Xin kiểm tra lại mã số (dạng GY-000000-0).',
    en: 'No comment has this reference. Check it again (it looks like GY-000000-0).',
  },
  commentStage_new: { vi: 'Đã tiếp nhận', en: 'Received' },
  commentStage_handled: { vi: 'Đã được xem xét, xử lý', en: 'Looked into by the unit' },
  commentStage_replied: { vi: 'Đã trả lời', en: 'Answered' },
  commentFormThanks: {
    vi: 'Cảm ơn ông/bà đã góp ý. Lãnh đạo đơn vị sẽ xem xét.',
    en: 'Thank you. The unit leaders will review it.',
  },
  commentFormReference: {
    vi: 'Mã số góp ý của ông/bà (xin ghi lại để hỏi về góp ý này):',
    en: 'Your comment reference (keep it to ask about this comment):',
  },
  commentFormPrivacy: {
    vi: 'Chỉ lưu nội dung và thông tin liên hệ ông/bà tự nguyện cung cấp.',
    en: 'Only what you write and the contact you choose to give are stored.',
  },
  error400Title: { vi: 'Yêu cầu không hợp lệ', en: 'This request is not valid' },
  error400Text: {
    vi: 'Địa chỉ hoặc bộ lọc trong yêu cầu không đúng. Hãy kiểm tra lại ngày tháng, kỳ báo cáo hoặc mã đã nhập.',
    en: 'The address or a filter in the request is wrong. Check the dates, the period or the code you entered.',
  },
  errorField: { vi: 'Trường cần sửa', en: 'Field to correct' },
  errorDetail: { vi: 'Chi tiết kỹ thuật', en: 'Technical detail' },
  error403Title: { vi: 'Không có quyền xem trang này', en: 'You may not open this page' },
  forbiddenOtherWard: {
    vi: 'Đơn vị này thuộc phường, xã khác. Lãnh đạo phường, xã chỉ xem được số liệu của đơn vị mình.',
    en: 'This unit belongs to another ward. Ward leaders see the figures of their own unit only.',
  },
  forbiddenOwnRecord: {
    vi: 'Cán bộ chỉ xem được kết quả đánh giá của chính mình, không xem được của đồng nghiệp.',
    en: 'Officers can see only their own record, not a colleague’s.',
  },
  forbiddenRole: {
    vi: 'Vai trò của tài khoản này không được mở trang này. Nếu cần, hãy liên hệ quản trị viên.',
    en: 'Your account’s role may not open this page. Ask the administrator if you need it.',
  },
  forbiddenBrowserOnly: {
    vi: 'Việc này chỉ làm được khi đăng nhập bằng trình duyệt, không dùng mã API.',
    en: 'This can only be done signed in in a browser, not with an API token.',
  },
  forbiddenCrossSite: {
    vi: 'Biểu mẫu này được gửi từ một trang web khác nên đã bị từ chối để bảo vệ tài khoản của bạn. Hãy mở lại trang trên hệ thống và gửi lại.',
    en: 'This form was sent from another website, so it was refused to protect your account. Open the page on this system again and resend it.',
  },
  error404Title: { vi: 'Không tìm thấy', en: 'Not found' },
  error404Text: {
    vi: 'Không có trang, đơn vị, cán bộ hoặc thiết bị nào ứng với địa chỉ này.',
    en: 'No page, unit, officer or device matches this address.',
  },
  error413Title: { vi: 'Nội dung gửi quá dài', en: 'What was sent is too large' },
  error413Text: {
    vi: 'Nội dung gửi lên vượt quá {kb} KB cho phép. Hãy rút gọn rồi gửi lại.',
    en: 'What was sent exceeds the {kb} KB allowed. Shorten it and send it again.',
  },
  error429Title: { vi: 'Quá nhiều lần thử', en: 'Too many attempts' },
  error429Text: {
    vi: 'Vui lòng đợi {seconds} giây rồi thử lại.',
    en: 'Please wait {seconds} seconds and try again.',
  },
  error500Title: { vi: 'Đã xảy ra lỗi', en: 'Something went wrong' },
  error500Text: {
    vi: 'Hệ thống gặp lỗi khi mở trang này. Hãy thử lại sau; nếu lỗi lặp lại, gửi mã tham chiếu cho quản trị viên.',
    en: 'The system failed while opening this page. Try again later; if it happens again, give the reference to the administrator.',
  },
  errorReference: { vi: 'Mã tham chiếu', en: 'Reference' },
  backHome: { vi: 'Về trang chính', en: 'Back to the home page' },
  // Charts (dashboard/src/charts): titles, axes and the spoken summary of each SVG.
  chartTrendDay: { vi: 'Tỷ lệ hài lòng và số đánh giá theo ngày', en: 'Satisfied share and ratings per day' },
  chartTrendWeek: {
    vi: 'Tỷ lệ hài lòng và số đánh giá theo tuần',
    en: 'Satisfied share and ratings per week',
  },
  chartDay: { vi: 'Ngày', en: 'Day' },
  chartWeekOf: { vi: 'Tuần từ', en: 'Week of' },
  chartShareAxis: { vi: 'Tỷ lệ hài lòng', en: 'Satisfied share' },
  chartBand: { vi: 'Khoảng tin cậy 95%', en: '95% interval' },
  chartTarget: { vi: 'Mục tiêu {target}', en: 'Target {target}' },
  chartTooFewPoint: { vi: 'Quá ít đánh giá (mờ, không nối)', en: 'Too few ratings (grey, not joined)' },
  chartTrendSummary: {
    vi: '{title}, {from}–{to}: {measured} điểm đủ mẫu, {tooFew} điểm quá ít đánh giá (dưới {min}), {empty} điểm không có đánh giá; tổng {ratings} đánh giá; mục tiêu {target}.',
    en: '{title}, {from}–{to}: {measured} points with enough ratings, {tooFew} with too few (under {min}), {empty} with none; {ratings} ratings in all; target {target}.',
  },
  chartHeat: {
    vi: 'Số đánh giá theo giờ và ngày trong tuần (giờ cao điểm)',
    en: 'Ratings by hour and weekday (peak hours)',
  },
  chartHour: { vi: 'Giờ', en: 'Hour' },
  chartWeekday: { vi: 'Thứ', en: 'Weekday' },
  chartHeatSummary: {
    vi: '{title}, {from}–{to}: {ratings} đánh giá; đông nhất {weekday} {hour} với {peak} đánh giá.',
    en: '{title}, {from}–{to}: {ratings} ratings; busiest {weekday} {hour} with {peak} ratings.',
  },
  chartHeatEmpty: {
    vi: '{title}, {from}–{to}: chưa có đánh giá.',
    en: '{title}, {from}–{to}: no ratings yet.',
  },
  chartNumbers: { vi: 'Số liệu của biểu đồ', en: 'The numbers behind the chart' },
  chartUnitRanking: {
    vi: 'Xếp hạng đơn vị theo tỷ lệ hài lòng (khoảng tin cậy 95%)',
    en: 'Units ranked by satisfied share (95% interval)',
  },
  chartOfficerRanking: {
    vi: 'Xếp hạng cán bộ theo tỷ lệ hài lòng (khoảng tin cậy 95%)',
    en: 'Officers ranked by satisfied share (95% interval)',
  },
  chartRankingSummary: {
    vi: '{title}, {from}–{to}: {ranked} được xếp hạng, {above} đạt mục tiêu {target}; {tooFew} có quá ít đánh giá (dưới {min}) nên không xếp hạng.',
    en: '{title}, {from}–{to}: {ranked} ranked, {above} at or above the target {target}; {tooFew} with too few ratings (under {min}), not ranked.',
  },
  chartTooFewToRank: {
    vi: 'Quá ít đánh giá để xếp hạng (dưới {min}):',
    en: 'Too few ratings to rank (under {min}):',
  },
  chartPlace: { vi: 'Hạng', en: 'Place' },
  targetsTitle: { vi: 'Mục tiêu', en: 'Target' },
  satisfiedShareTarget: {
    vi: 'Mục tiêu tỷ lệ hài lòng (%, từ 50 đến 100)',
    en: 'Satisfied share target (%, 50 to 100)',
  },
  // Drill-down (dashboard/src/drill): an officer against the unit, and the ratings themselves.
  drillRatingsTitle: { vi: 'Các lượt đánh giá', en: 'The ratings' },
  drillAllRatings: { vi: 'Xem từng lượt đánh giá', en: 'See every rating' },
  drillCounterTitle: { vi: 'Quầy {counter}', en: 'Counter {counter}' },
  drillCounterOfficers: { vi: 'Cán bộ tại quầy trong kỳ', en: 'Officers at this counter in the period' },
  drillCompare: { vi: 'So với toàn đơn vị cùng kỳ', en: 'Compared with the whole unit, same period' },
  drillFigure: { vi: 'Chỉ số', en: 'Figure' },
  drillUnitAverage: { vi: 'Toàn đơn vị', en: 'Whole unit' },
  drillDifference: { vi: 'Chênh lệch', en: 'Difference' },
  drillPresence: { vi: 'Thời gian có mặt tại quầy', en: 'Time signed in at a counter' },
  drillPresenceHours: { vi: '{hours} giờ trong kỳ', en: '{hours} hours in the period' },
  drillCamera: {
    vi: 'Ước tính camera (riêng, không tính vào kết quả chính thức)',
    en: 'Camera estimate (apart, never in the official figure)',
  },
  drillLinkedComment: { vi: 'Góp ý cùng hồ sơ', en: 'Comment on the same dossier' },
  chartName: { vi: 'Tên', en: 'Name' },
  chartUnitDistribution: {
    vi: 'Phân bố 3 mức đánh giá chính thức theo đơn vị',
    en: 'The three official levels per unit',
  },
  chartOfficerDistribution: {
    vi: 'Phân bố 3 mức đánh giá chính thức theo cán bộ',
    en: 'The three official levels per officer',
  },
  chartDistributionSummary: {
    vi: '{title}, {from}–{to}: {rows} dòng, {ratings} đánh giá được tính.',
    en: '{title}, {from}–{to}: {rows} rows, {ratings} counted ratings.',
  },
  weekday1: { vi: 'Thứ Hai', en: 'Monday' },
  weekday2: { vi: 'Thứ Ba', en: 'Tuesday' },
  weekday3: { vi: 'Thứ Tư', en: 'Wednesday' },
  weekday4: { vi: 'Thứ Năm', en: 'Thursday' },
  weekday5: { vi: 'Thứ Sáu', en: 'Friday' },
  weekday6: { vi: 'Thứ Bảy', en: 'Saturday' },
  weekday7: { vi: 'Chủ Nhật', en: 'Sunday' },
  weekdayShort1: { vi: 'T2', en: 'Mon' },
  weekdayShort2: { vi: 'T3', en: 'Tue' },
  weekdayShort3: { vi: 'T4', en: 'Wed' },
  weekdayShort4: { vi: 'T5', en: 'Thu' },
  weekdayShort5: { vi: 'T6', en: 'Fri' },
  weekdayShort6: { vi: 'T7', en: 'Sat' },
  weekdayShort7: { vi: 'CN', en: 'Sun' },
  // The audit log in words: one phrase per action code written to `audit_log`.
  'audit_device.add': { vi: 'Thêm thiết bị', en: 'Device added' },
  'audit_device.revoke': { vi: 'Thu hồi thiết bị', en: 'Device revoked' },
  'audit_device.replace': { vi: 'Thay bo mạch của quầy', en: 'Board replaced on its counter' },
  'audit_device.restore': { vi: 'Khôi phục thiết bị', en: 'Device restored' },
  'audit_device.rotate': { vi: 'Cấp mật khẩu mới cho thiết bị', en: 'Device password rotated' },
  'audit_device.drained': {
    vi: 'Bo mạch cũ đã gửi hết sự kiện, thu hồi',
    en: 'Replaced board drained, revoked',
  },
  'audit_device.drain_expired': {
    vi: 'Bo mạch cũ quá hạn gửi sự kiện, thu hồi',
    en: 'Replaced board past its drain deadline, revoked',
  },
  'audit_device.drain_skipped': { vi: 'Bo mạch cũ thu hồi ngay', en: 'Replaced board revoked at once' },
  'audit_staff.add': { vi: 'Tạo tài khoản', en: 'Account created' },
  'audit_staff.disable': { vi: 'Khoá tài khoản', en: 'Account disabled' },
  'audit_officer.add': { vi: 'Thêm cán bộ vào danh sách', en: 'Officer added to the roster' },
  'audit_officer.update': { vi: 'Sửa thông tin cán bộ', en: 'Officer details changed' },
  'audit_officer.retire': { vi: 'Cho cán bộ thôi làm việc tại đơn vị', en: 'Officer retired from the unit' },
  'audit_unit.settings': {
    vi: 'Thay đổi cài đặt đánh giá của đơn vị',
    en: 'Unit evaluation settings changed',
  },
  'audit_comment.follow-up': { vi: 'Xử lý góp ý của người dân', en: "Citizen's comment followed up" },
  'audit_config.set': { vi: 'Thay đổi cấu hình thiết bị', en: 'Device configuration changed' },
  'audit_command.restart': { vi: 'Lệnh: khởi động lại thiết bị', en: 'Command: restart the device' },
  'audit_command.reload-config': { vi: 'Lệnh: đọc lại tệp cấu hình', en: 'Command: reload the config file' },
  'audit_command.self-test': { vi: 'Lệnh: tự kiểm tra', en: 'Command: self-test' },
  'audit_command.retry-dead-letters': {
    vi: 'Lệnh: gửi lại sự kiện bị từ chối',
    en: 'Command: retry refused events',
  },
  // Monthly report (dashboard/src/reports): the page, its PDF and the exports.
  reportTitle: { vi: 'Báo cáo kết quả đánh giá', en: 'Evaluation report' },
  reportCity: { vi: 'Toàn thành phố', en: 'Whole city' },
  reportPeriod: { vi: 'Kỳ báo cáo', en: 'Reporting period' },
  reportGenerated: { vi: 'Lập lúc', en: 'Generated' },
  reportKeyFigures: { vi: 'Số liệu chính', en: 'Key figures' },
  reportCharts: { vi: 'Diễn biến và thời điểm cao điểm', en: 'Trend and peak hours' },
  reportUnits: { vi: 'Kết quả theo phường, xã', en: 'Results per ward' },
  reportUncounted: { vi: 'Đánh giá không được tính và lý do', en: 'Ratings not counted, and why' },
  reportUncountedUnverified: {
    vi: 'không xác minh được cán bộ đang làm việc tại quầy lúc đánh giá',
    en: 'no officer could be verified at the counter at the time',
  },
  reportUncountedFiltered: {
    vi: 'bị bộ lọc lạm dụng gạt ra (bấm liên tục, ngoài giờ, không có người tại quầy…)',
    en: 'caught by a misuse filter (rapid repeats, outside hours, nobody at the counter…)',
  },
  reportUncountedQuarantined: {
    vi: 'không xác định được thời điểm (đồng hồ thiết bị sai)',
    en: 'time could not be placed (device clock wrong)',
  },
  reportCommentsTotal: { vi: 'Số góp ý trong kỳ', en: 'Comments in the period' },
  reportCommentsByKind: { vi: 'Theo loại', en: 'By kind' },
  reportCommentsByStatus: { vi: 'Theo tình trạng xử lý', en: 'By follow-up' },
  commentUnmarked: { vi: 'Không chọn loại', en: 'Not marked' },
  reportTopReasons: { vi: 'Lý do người dân chọn nhiều nhất', en: 'Reasons citizens gave most often' },
  reportNoReasons: {
    vi: 'Không có lý do nào được chọn trong kỳ.',
    en: 'No reasons were given in the period.',
  },
  reportSignatures: { vi: 'Xác nhận', en: 'Sign-off' },
  reportPreparedBy: { vi: 'Người lập báo cáo', en: 'Prepared by' },
  reportApprovedBy: { vi: 'Thủ trưởng đơn vị', en: 'Head of unit' },
  reportSignHint: { vi: '(Ký, ghi rõ họ tên)', en: '(Signature and full name)' },
  reportSignDate: { vi: 'Ngày ..... tháng ..... năm ..........', en: 'Date ....................' },
  reportOpen: { vi: 'Báo cáo tháng', en: 'Monthly report' },
  reportPdf: { vi: 'Tải PDF', en: 'Download PDF' },
  ratingsXlsx: { vi: 'Đánh giá chi tiết (XLSX)', en: 'All ratings (XLSX)' },
  ratingsCsv: { vi: 'Đánh giá chi tiết (CSV)', en: 'All ratings (CSV)' },
  unitsXlsx: { vi: 'Bảng các phường, xã (XLSX)', en: 'Ward table (XLSX)' },
  unitsCsv: { vi: 'Bảng các phường, xã (CSV)', en: 'Ward table (CSV)' },
  unitId: { vi: 'Mã đơn vị', en: 'Unit ID' },
  province: { vi: 'Tỉnh, thành phố', en: 'Province' },
  cameraEstimate: {
    vi: 'Ước lượng của camera (0–100, tách riêng)',
    en: 'Camera estimate (0–100, shown apart)',
  },
  pdfUnavailableTitle: { vi: 'Chưa tạo được tệp PDF', en: 'The PDF cannot be made' },
  pdfUnavailableText: {
    vi: 'Máy chủ chưa cài trình duyệt Chromium nên chưa tạo được tệp PDF. Hãy mở trang báo cáo và dùng chức năng In của trình duyệt, hoặc đề nghị quản trị viên cài gói chromium.',
    en: 'Chromium is not installed on the server, so no PDF can be made. Open the report page and print it from your browser, or ask the administrator to install the chromium package.',
  },
  exportBusyTitle: { vi: 'Máy chủ đang bận xuất tệp', en: 'The server is busy writing downloads' },
  exportBusyText: {
    vi: 'Đang có nhiều tệp được xuất cùng lúc. Vui lòng thử lại sau khoảng {seconds} giây.',
    en: 'Several downloads are being written at once. Please try again in about {seconds} seconds.',
  },
  pdfBusyTitle: { vi: 'Máy chủ đang bận tạo PDF', en: 'The server is busy making PDFs' },
  pdfBusyText: {
    vi: 'Đang có nhiều tệp PDF chờ tạo. Vui lòng thử lại sau {seconds} giây.',
    en: 'Many PDFs are waiting to be made. Please try again in {seconds} seconds.',
  },
  ...USER_MESSAGES,
} as const satisfies Record<string, Record<Lang, string>>;

export type MessageKey = keyof typeof MESSAGES;
export type Translate = (key: MessageKey) => string;

export function translator(lang: Lang): Translate {
  return (key) => MESSAGES[key][lang];
}

/** The translation of a key known only at run time (an action code), or null when there is none. */
export function translateIfKnown(lang: Lang, key: string): string | null {
  return Object.hasOwn(MESSAGES, key) ? MESSAGES[key as MessageKey][lang] : null;
}

/** A message with its `{name}` placeholders filled in: numbers come from code, never from the text. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
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

/** A citizen's reason codes in words (the kiosk's own), joined for a table cell; '–' for none. */
export function reasonsText(lang: Lang, codes: readonly string[]): string {
  return codes.map((c) => reasonLabel(c, lang)).join(', ') || '–';
}

/** `?lang=` wins, then the cookie; Vietnamese by default. */
export function pickLang(query: string | undefined, cookie: string | undefined): Lang {
  return asLang(query) ?? asLang(cookie) ?? 'vi';
}
