import FA_DIAGRAM from './fa_diagram';
import FA_DECISIONS from './fa_decisions';

// Persian labels for bpmn-js (palette, context pad, replace menu, properties panel) and for Ravand's
// own properties; English keeps the templates as they are. Unknown templates stay in English.
const FA = {
  'Activate hand tool': 'ابزار جابه‌جایی',
  'Activate lasso tool': 'ابزار انتخاب کمندی',
  'Activate create/remove space tool': 'ابزار ایجاد/حذف فضا',
  'Activate global connect tool': 'ابزار اتصال',
  'Create start event': 'رویداد شروع',
  'Create end event': 'رویداد پایان',
  'Create intermediate/boundary event': 'رویداد میانی',
  'Create gateway': 'درگاه',
  'Create task': 'وظیفه',
  'Create data object reference': 'شیء داده',
  'Create data store reference': 'انباره داده',
  'Create expanded sub-process': 'زیرفرایند',
  'Create pool/participant': 'استخر/مشارکت‌کننده',
  'Create group': 'گروه',
  'Append end event': 'افزودن رویداد پایان',
  'Append gateway': 'افزودن درگاه',
  'Append task': 'افزودن وظیفه',
  'Append intermediate/boundary event': 'افزودن رویداد میانی',
  'Append text annotation': 'افزودن یادداشت',
  'Append user task': 'افزودن وظیفه کاربری',
  'Add lane above': 'افزودن مسیر در بالا',
  'Add lane below': 'افزودن مسیر در پایین',
  'Divide into two lanes': 'تقسیم به دو مسیر',
  'Divide into three lanes': 'تقسیم به سه مسیر',
  'Change element': 'تغییر نوع',
  'Change type': 'تغییر نوع',
  'Delete': 'حذف',
  'Connect using sequence/message flow or association': 'اتصال با جریان',
  'Connect to other element': 'اتصال به عنصر دیگر',
  'Search in diagram': 'جست‌وجو در نمودار',
  'Task': 'وظیفه',
  'User task': 'وظیفه کاربری',
  'Script task': 'وظیفه اسکریپت',
  'Business rule task': 'وظیفه قاعده کسب‌وکار',
  'Service task': 'وظیفه سرویس',
  'Send task': 'وظیفه ارسال',
  'Receive task': 'وظیفه دریافت',
  'Manual task': 'وظیفه دستی',
  'Call activity': 'فراخوانی فرایند',
  'Sub-process (collapsed)': 'زیرفرایند (بسته)',
  'Sub-process (expanded)': 'زیرفرایند (باز)',
  'Start event': 'رویداد شروع',
  'End event': 'رویداد پایان',
  'Exclusive gateway': 'درگاه انحصاری',
  'Parallel gateway': 'درگاه موازی',
  'Inclusive gateway': 'درگاه فراگیر',
  'Event-based gateway': 'درگاه رویدادمحور',
  'Timer start event': 'رویداد شروع زمان‌سنج',
  'Message start event': 'رویداد شروع پیام',
  'Timer intermediate catch event': 'رویداد میانی زمان‌سنج',
  'Message intermediate catch event': 'رویداد میانی دریافت پیام',
  'Message intermediate throw event': 'رویداد میانی ارسال پیام',
  'Message end event': 'رویداد پایان پیام',
  'Timer boundary event': 'رویداد مرزی زمان‌سنج',
  'Timer boundary event (non-interrupting)': 'رویداد مرزی زمان‌سنج (غیرقطع‌کننده)',
  'Escalation end event': 'رویداد پایان تشدید',
  'General': 'عمومی',
  'Name': 'نام',
  'ID': 'شناسه',
  'Documentation': 'مستندات',
  'Element documentation': 'توضیح عنصر',
  'Process documentation': 'توضیح فرایند',
  'Timer': 'زمان‌سنج',
  'Type': 'نوع',
  'Value': 'مقدار',
  'Date': 'تاریخ',
  'Duration': 'مدت',
  'Cycle': 'چرخه',
  '<none>': '<هیچ>',
  'Message': 'پیام',
  'Global message reference': 'پیام',
  'Multi-instance': 'چندنمونه‌ای',
  'Input collection': 'مجموعه ورودی',
  'Output collection': 'مجموعه خروجی',
  'Input element': 'عنصر ورودی',
  'Output element': 'عنصر خروجی',
  'Process': 'فرایند',
  'Participant': 'مشارکت‌کننده',
  'Executable': 'اجراپذیر',
  'Version tag': 'برچسب نسخه',
  '(none)': '(هیچ)',
  'No Issues': 'بی‌ایراد',
  'Element is missing bpmndi': 'عنصر در نمودار جایی ندارد (بدون BPMNDI)',
  'Element is not connected': 'عنصر به جایی وصل نیست',
  'Process is missing start event': 'فرایند رویداد شروع ندارد',
  'Process is missing end event': 'فرایند رویداد پایان ندارد',
  'Sub process is missing start event': 'زیرفرایند رویداد شروع ندارد',
  'Sub process is missing end event': 'زیرفرایند رویداد پایان ندارد',
  'SequenceFlow is a duplicate': 'جریان تکراری است',
  'Duplicate outgoing sequence flows': 'جریان‌های خروجی تکراری',
  'Duplicate incoming sequence flows': 'جریان‌های ورودی تکراری',
  '{errors} Errors, {warnings} Warnings': '{errors} خطا، {warnings} هشدار',
  'Issues for child elements': 'ایرادهای عنصرهای درونی',
  'Toggle linting overlays': 'نمایش/پنهان کردن ایرادها',
  'User Task': 'وظیفه کاربری',
  'Collaboration': 'همکاری',
  'Lane': 'مسیر',
  'Sequence Flow': 'جریان توالی',
  'Exclusive Gateway': 'درگاه انحصاری',
  'Script Task': 'وظیفه اسکریپت',
  'Start Event': 'رویداد شروع',
  'End Event': 'رویداد پایان',
  'Ravand: lane': 'روند: مسیر',
  'Role of the lane': 'نقش این مسیر',
  'Tasks in this lane go to the holders of this role.': 'وظیفه‌های این مسیر به دارندگان این نقش می‌رسد.',
  'Ravand: user task': 'روند: وظیفه کاربری',
  'Form': 'فرم',
  'Due in working days': 'مهلت (روز کاری)',
  'A number, or a Python expression on the task data': 'یک عدد، یا عبارت پایتون روی داده‌های وظیفه',
  'Instructions for the user (Persian)': 'راهنمای کاربر (فارسی)',
  'Unit (Python expression, optional)': 'واحد (عبارت پایتون، اختیاری)',
  'Priority (0-100, optional)': 'اولویت (۰ تا ۱۰۰، اختیاری)',
  'Ravand: script': 'روند: اسکریپت',
  'Script (Python)': 'اسکریپت (پایتون)',
  'Ravand: scripts before and after': 'روند: اسکریپت پیش و پس',
  'Script before the task': 'اسکریپت پیش از وظیفه',
  'Script after the task': 'اسکریپت پس از وظیفه',
  'Ravand: condition': 'روند: شرط',
  'Condition (Python expression)': 'شرط (عبارت پایتون)',
  "For example: decision == 'approved'": "برای نمونه: decision == 'approved'",
  'Ravand: called process': 'روند: فرایند فراخوانده',
  'Called process': 'فرایند فراخوانده',
  'Ravand: decision': 'روند: جدول تصمیم',
  'Decision table': 'جدول تصمیم',
  'Ravand: message received': 'روند: پیام دریافتی',
  'Ravand: message sent': 'روند: پیام ارسالی',
  'Variable that receives the payload': 'متغیر دریافت محتوای پیام',
  'Payload (Python expression)': 'محتوای پیام (عبارت پایتون)',
  'Correlation (Python expression)': 'همبستگی (عبارت پایتون)',
  'The value that must match between the message and the waiting instance, e.g. tracking_code':
    'مقداری که باید میان پیام و نمونه منتظر یکسان باشد، مانند tracking_code'
};

// Timers are Python expressions in Ravand: the panel's timer hints say so, in both languages.
const EN = {
  'A specific point in time defined as ISO 8601 combined date and time representation.':
    "A Python expression giving an ISO 8601 date and time, e.g. working_days_later(3) for three working days from now, or '2026-12-01T08:00:00+03:30' (with the quotes).",
  'A cycle defined as ISO 8601 repeating intervals format.':
    "A Python expression giving ISO 8601 repeating intervals, e.g. 'R4/P3M' (with the quotes).",
  'A time duration defined as ISO 8601 durations format.':
    "A Python expression giving an ISO 8601 duration, e.g. 'P3D' (with the quotes); for working days use a date: working_days_later(3)."
};

FA['A specific point in time defined as ISO 8601 combined date and time representation.'] =
  "عبارت پایتونی که تاریخ و ساعت ISO 8601 می‌دهد؛ برای نمونه working_days_later(3) یعنی سه روز کاری دیگر، یا '2026-12-01T08:00:00+03:30' (با نقل‌قول).";
FA['A cycle defined as ISO 8601 repeating intervals format.'] =
  "عبارت پایتونی که بازه‌های تکرار ISO 8601 می‌دهد؛ برای نمونه 'R4/P3M' (با نقل‌قول).";
FA['A time duration defined as ISO 8601 durations format.'] =
  "عبارت پایتونی که مدت ISO 8601 می‌دهد؛ برای نمونه 'P3D' (با نقل‌قول). برای روز کاری، تاریخ بدهید: working_days_later(3).";

// The decision tables' editor has its own words; the rest of the diagram's fill in what FA leaves out.
const FA_ALL = { ...FA_DECISIONS, ...FA_DIAGRAM, ...FA };

export default function translateModule(locale) {
  const dictionary = locale === 'fa' ? FA_ALL : EN;
  const digits = (value) => (locale === 'fa' ? String(value).replace(/[0-9]/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[d]) : String(value));
  function translate(template, replacements) {
    const text = dictionary[template] || template;
    return text.replace(/{([^}]+)}/g, (_, key) => (replacements && key in replacements ? digits(replacements[key]) : `{${key}}`));
  }
  return { translate: ['value', translate] };
}
