package eval

import "github.com/kobanhq/koban"

// Detector tells whether a channel message asks for anything.
type Detector interface {
	Detect(text string) koban.Detection
}

// Detection counts how messages were taken, in a channel of mode all:
// of the messages that ask for nothing, how many became inquiries; of the
// inquiries (labelled or not), how many were missed.
type Detection struct {
	NonInquiries     int `json:"non_inquiries"`
	TreatedAsInquiry int `json:"treated_as_inquiry"`
	Inquiries        int `json:"inquiries"`
	Missed           int `json:"missed"`
	// FalseInquiryRate is TreatedAsInquiry/NonInquiries; KeptRate is
	// (Inquiries−Missed)/Inquiries. 0 when there is nothing to count.
	FalseInquiryRate float64 `json:"false_inquiry_rate"`
	KeptRate         float64 `json:"kept_rate"`
}

// scoreDetection counts the detections of outs; nil when none has one.
func scoreDetection(outs []Outcome) *Detection {
	var d Detection
	seen := false
	for _, o := range outs {
		if o.Detection == nil {
			continue
		}
		seen = true
		if o.Case.Inquiry() {
			d.Inquiries++
			if !o.Detection.Inquiry {
				d.Missed++
			}
			continue
		}
		d.NonInquiries++
		if o.Detection.Inquiry {
			d.TreatedAsInquiry++
		}
	}
	if !seen {
		return nil
	}
	d.FalseInquiryRate = ratio(d.TreatedAsInquiry, d.NonInquiries)
	d.KeptRate = ratio(d.Inquiries-d.Missed, d.Inquiries)
	return &d
}
